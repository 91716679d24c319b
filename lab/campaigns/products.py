"""Products that campaigns test: name, maker, category, description and an image."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lab.campaigns.models import PRODUCT_CATEGORIES, Product
from lab.core import audit
from lab.core.errors import DomainError
from lab.core.uploads import save_image
from lab.extensions import db

PRODUCT_SAVED = audit.register_action("product.saved", _l("Product saved"))

CATEGORY_LABELS = {
    "smartphone": _l("Smartphone"),
    "router": _l("Router"),
    "tv": _l("TV & streaming"),
    "tablet": _l("Tablet"),
    "wearable": _l("Wearable"),
    "smart_home": _l("Smart home"),
    "app": _l("App"),
    "service": _l("Service"),
    "other": _l("Other"),
}
assert set(CATEGORY_LABELS) == set(PRODUCT_CATEGORIES)


def products_query():
    return select(Product).order_by(Product.maker, Product.name, Product.id)


def save_product(actor, product: Product | None = None, *, name: str, maker: str,
                 category: str, description: str | None,
                 image_data: bytes | None = None) -> Product:
    """Create or change a product; an uploaded image is checked by its content and
    stored re-encoded without metadata (lab.core.uploads)."""
    name, maker = (name or "").strip(), (maker or "").strip()
    if not name:
        raise DomainError(_l("Please give the product's name."), "name")
    if not maker:
        raise DomainError(_l("Please give the maker."), "maker")
    if category not in PRODUCT_CATEGORIES:
        raise DomainError(_l("Please choose a category."), "category")
    image = save_image(image_data, "products") if image_data else None
    created = product is None
    product = product or Product()
    product.name, product.maker, product.category = name[:120], maker[:80], category
    product.description = (description or "").strip() or None
    if image:
        product.image = image
    db.session.add(product)
    db.session.flush()
    audit.record(actor, PRODUCT_SAVED, "product", product.id, created=created,
                 name=product.name)
    return product
