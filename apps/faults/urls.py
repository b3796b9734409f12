app_name = "faults"

urlpatterns: list = []
