"""GeoJSON boundaries (WGS84) through shapely."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

# Shared edges are normal between neighbouring grids; only a real area in common counts as overlap.
AREA_TOLERANCE = 1e-10


def to_shape(geojson: dict) -> BaseGeometry:
    return shape(geojson)


def validate_geojson(geojson) -> None:
    if not isinstance(geojson, dict) or geojson.get("type") not in {"Polygon", "MultiPolygon"}:
        raise ValidationError({"boundary": _("A boundary is a GeoJSON Polygon or MultiPolygon.")})
    try:
        geom = shape(geojson)
    except Exception as exc:  # shapely raises several types for malformed input
        raise ValidationError(
            {"boundary": _("The boundary is not valid GeoJSON: %(e)s") % {"e": exc}}
        ) from exc
    if geom.is_empty or not geom.is_valid:
        raise ValidationError({"boundary": _("The boundary polygon is empty or crosses itself.")})
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValidationError({"boundary": _("Boundary coordinates must be longitude/latitude (WGS84).")})


def bounds(geojson: dict) -> tuple[float, float, float, float]:
    return shape(geojson).bounds


def representative_point(geojson: dict) -> tuple[float, float]:
    geom = shape(geojson)
    point = geom.centroid if geom.contains(geom.centroid) else geom.representative_point()
    return round(point.x, 6), round(point.y, 6)


def rectangle(min_lng: float, min_lat: float, max_lng: float, max_lat: float) -> dict:
    ring = [
        [round(min_lng, 6), round(min_lat, 6)],
        [round(max_lng, 6), round(min_lat, 6)],
        [round(max_lng, 6), round(max_lat, 6)],
        [round(min_lng, 6), round(max_lat, 6)],
        [round(min_lng, 6), round(min_lat, 6)],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def lies_inside(child: BaseGeometry, parent: BaseGeometry) -> bool:
    return child.difference(parent).area <= AREA_TOLERANCE


def overlap_area(a: BaseGeometry, b: BaseGeometry) -> float:
    return a.intersection(b).area


def contains_point(geojson: dict, lng: float, lat: float) -> bool:
    return shape(geojson).covers(Point(lng, lat))
