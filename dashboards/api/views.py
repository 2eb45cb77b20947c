from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors
from ..periods import period_from

PERIOD_PARAMETERS = [
    OpenApiParameter(
        "start", OpenApiTypes.DATE, description="First day (Asia/Shanghai); default 29 days before end."
    ),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Last day, included; default today."),
]


class TownDashboardView(APIView):
    """Every figure of a town sub-centre's dashboard, as the page shows it (same selectors)."""

    @extend_schema(parameters=PERIOD_PARAMETERS, responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk):
        town = selectors.town_get(user=request.user, pk=pk)
        period = period_from(request.query_params)
        return Response(
            selectors.town_dashboard(
                user=request.user, town=town, period=period, tile_url=settings.MAP_TILE_URL
            )
        )


class DistrictDashboardView(APIView):
    """The district centre's dashboard: the towns side by side, today's escalations and the warnings."""

    @extend_schema(parameters=PERIOD_PARAMETERS, responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        if not request.user.sees_whole_district:
            self.permission_denied(request, message="The district dashboard is for district staff.")
        period = period_from(request.query_params)
        return Response(
            selectors.district_dashboard(user=request.user, period=period, tile_url=settings.MAP_TILE_URL)
        )
