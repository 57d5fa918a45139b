from django.apps import AppConfig


class ArgumentConfig(AppConfig):
    name = "clinsafe.argument"
    label = "argument"
    verbose_name = "Safety argument"

    def ready(self) -> None:
        # The gate's rule that the release's argument has no errors.
        from clinsafe.argument import release_rule  # noqa: F401
