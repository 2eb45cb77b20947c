from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from .models import Area
from .selectors import coverage_report


def _root_for(user, area_id):
    visible = Area.objects.visible_to(user)
    if area_id:
        return get_object_or_404(visible, pk=area_id)
    if user.jurisdiction_id:
        return get_object_or_404(visible, pk=user.jurisdiction_id)
    return get_object_or_404(visible.filter(parent__isnull=True)[:1])


@login_required
def area_detail(request, pk):
    area = get_object_or_404(Area.objects.visible_to(request.user).select_related("parent", "leader"), pk=pk)
    children = area.get_children().only(
        "id", "name", "code", "kind", "households", "population", "is_demo", "grid_type"
    )
    path = area.get_ancestors()
    return render(request, "grids/area_detail.html", {"area": area, "children": children, "path": path})


@login_required
def coverage(request):
    root = _root_for(request.user, request.GET.get("area"))
    report = coverage_report(root=root)
    return render(request, "grids/coverage.html", {"report": report, "root": root})
