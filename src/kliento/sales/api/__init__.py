"""REST routes of the sales app (assembled in kliento/api.py)."""

from ninja import Router

from kliento.sales.api.deals import router as deals_router
from kliento.sales.api.leads import router as leads_router
from kliento.sales.api.pipelines import reasons_router
from kliento.sales.api.pipelines import router as pipelines_router

routers: list[tuple[str, Router]] = [
    ("/pipelines", pipelines_router),
    ("/deal-reasons", reasons_router),
    ("/leads", leads_router),
    ("/deals", deals_router),
]
