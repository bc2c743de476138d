from django.urls import path

from fangkong.supplies.views import pages

app_name = "supplies"

urlpatterns = [
    path("", pages.index, name="index"),
    path("stores/", pages.index, name="stores"),
    path("items/", pages.items, name="items"),
    path("needs/", pages.needs, name="needs"),
    path("warehouses/<id:pk>/", pages.warehouse, name="warehouse"),
    path("warehouses/<id:pk>/receive/", pages.receive, name="receive"),
    path("warehouses/<id:pk>/issue/", pages.issue, name="issue"),
    path("warehouses/<id:pk>/transfer/", pages.transfer, name="transfer"),
    path("warehouses/<id:pk>/adjust/", pages.adjust, name="adjust"),
    path("warehouses/<id:pk>/needs/new/", pages.new_need, name="new_need"),
    path("warehouses/<id:pk>/pledges/new/", pages.new_pledge, name="new_pledge"),
    path("warehouses/<id:pk>/ledger/", pages.ledger, name="ledger"),
    path("warehouses/<id:pk>/export/", pages.export, name="export"),
    path("warehouses/<id:pk>/movements/<id:mid>/", pages.movement, name="movement"),
    path("warehouses/<id:pk>/transfers/<id:mid>/receive/", pages.receive_transfer,
         name="receive_transfer"),
    path("warehouses/<id:pk>/items/<slug:code>/", pages.stock_card, name="stock_card"),
]
