from django.urls import path

from .views import acknowledgements, kiosk

app_name = "documents"

urlpatterns = [
    # Workers' acknowledgement of a card version (personal data: the enterprise's officers and
    # managers only).
    path("card/<int:pk>/acknowledgements/", acknowledgements.card_acknowledgements, name="acknowledgements"),
    path(
        "card/<int:pk>/acknowledgement-sheet.pdf",
        acknowledgements.acknowledgement_sheet,
        name="acknowledgement_sheet",
    ),
    path(
        "acknowledgement/<int:pk>/scan/", acknowledgements.acknowledgement_scan, name="acknowledgement_scan"
    ),
    path("card/<int:pk>/kiosk/open/", kiosk.kiosk_open, name="kiosk_open"),
    path("card/<int:pk>/kiosk/", kiosk.kiosk, name="kiosk"),
    path("card/<int:pk>/kiosk/close/", kiosk.kiosk_close, name="kiosk_close"),
]
