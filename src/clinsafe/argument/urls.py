from django.urls import path

from clinsafe.argument import views

# Under products/<slug>/. Node ids are letters, digits, '_', '.' and '-', never a slash.
urlpatterns = [
    path("argument/", views.argument_page, name="argument"),
    path("argument/build/", views.argument_build, name="argument-build"),
    path("argument/export.yaml", views.argument_export, name="argument-export"),
    path("argument/import/", views.argument_import, name="argument-import"),
    path("argument/put-forward/", views.argument_put_forward, name="argument-put-forward"),
    path("argument/nodes/new/", views.node_add, name="argument-node-add"),
    # Any text is a node id, "/" included: the actions' routes come before the node's own.
    path("argument/nodes/<path:node_id>/edit/", views.node_edit, name="argument-node-edit"),
    path("argument/nodes/<path:node_id>/link/", views.node_link, name="argument-node-link"),
    path("argument/nodes/<path:node_id>/unlink/", views.node_unlink, name="argument-node-unlink"),
    path("argument/nodes/<path:node_id>/remove/", views.node_remove, name="argument-node-remove"),
    path("argument/nodes/<path:node_id>/settle/", views.doubt_settle, name="argument-doubt-settle"),
    path("argument/nodes/<path:node_id>/", views.node_detail, name="argument-node"),
    path("releases/<str:version>/argument/", views.release_argument, name="release-argument"),
    path("artefacts/", views.artefact_list, name="artefact-list"),
    path("artefacts/new/", views.artefact_create, name="artefact-create"),
    path("artefacts/<int:number>/versions/new/", views.artefact_version_add,
         name="artefact-version-add"),
    path("artefacts/<int:number>/versions/<int:version>/review/",
         views.artefact_version_review, name="artefact-version-review"),
    path("artefacts/<int:number>/versions/<int:version>/download/",
         views.artefact_version_download, name="artefact-version-download"),
]  # fmt: skip
