"""One trivial view answers every core route, and says so."""
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

SERVED_BY = "core-stand-in"


@csrf_exempt
def core_view(request, route: str, **kwargs):  # pylint: disable=unused-argument
    """Any method: a fixed JSON body naming the core route, and an ``X-Served-By`` header."""
    response = JsonResponse({"served_by": SERVED_BY, "route": route})
    response["X-Served-By"] = SERVED_BY
    return response
