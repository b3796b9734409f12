app_name = "frontdesk"

urlpatterns: list = []
