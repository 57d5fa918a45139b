from django.apps import AppConfig


class ProductsConfig(AppConfig):
    name = "clinsafe.products"
    label = "products"
    verbose_name = "Products"
