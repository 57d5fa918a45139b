from django.apps import AppConfig


class ProductsConfig(AppConfig):
    name = "clinsafe.products"
    label = "products"
    verbose_name = "Products"

    def ready(self) -> None:
        # The gate holds a release pending until every change it carries is assessed.
        from clinsafe.products import change_rule  # noqa: F401
