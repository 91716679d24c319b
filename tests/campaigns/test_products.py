"""Products: saved with their name, maker and category, an image kept without metadata,
every save audited."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from lab.campaigns import products
from lab.core.errors import DomainError
from lab.extensions import db
from tests.campaigns.helpers import audited

pytestmark = pytest.mark.usefixtures("english")


def save(actor, product=None, **fields):
    values = {"name": "Pixel 9", "maker": "Google", "category": "smartphone",
              "description": None} | fields
    return products.save_product(actor, product, **values)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(buffer, "PNG")
    return buffer.getvalue()


def test_a_product_is_saved_with_cleaned_texts(make_staff):
    product = save(make_staff(), name="  Pixel 9 ", maker=" Google ", description="  ")
    assert (product.name, product.maker, product.category, product.description) == (
        "Pixel 9", "Google", "smartphone", None)


def test_a_product_can_be_changed(make_staff):
    staff = make_staff()
    product = save(staff)
    same = save(staff, product, name="Pixel 9 Pro", description="The bigger one")
    assert same is product and (product.name, product.description) == (
        "Pixel 9 Pro", "The bigger one")


@pytest.mark.parametrize("field,value", [("name", " "), ("maker", ""), ("category", "toaster")])
def test_name_maker_and_a_known_category_are_required(make_staff, field, value):
    with pytest.raises(DomainError) as refused:
        save(make_staff(), **{field: value})
    assert refused.value.field == field


def test_saving_is_audited(make_staff):
    staff = make_staff()
    product = save(staff)
    save(staff, product, name="Pixel 10")
    entries = audited(products.PRODUCT_SAVED, "product", product.id)
    assert [(e.actor_id, e.details) for e in entries] == [
        (staff.id, {"created": True, "name": "Pixel 9"}),
        (staff.id, {"created": False, "name": "Pixel 10"})]


def test_an_image_is_stored_re_encoded(app, make_staff, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path))
    product = save(make_staff(), image_data=png())
    assert product.image.startswith("products/") and (tmp_path / product.image).is_file()


def test_a_file_that_is_no_image_is_refused(app, make_staff, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path))
    with pytest.raises(DomainError, match="not an image") as refused:
        save(make_staff(), image_data=b"%PDF-1.4 not an image")
    assert refused.value.field == "image"


def test_products_are_listed_by_maker_and_name(make_staff):
    staff = make_staff()
    save(staff, maker="Zyxel", name="A")
    save(staff, maker="AVM", name="Fritz!Box 7690")
    save(staff, maker="AVM", name="Fritz!Box 5690")
    listed = [(p.maker, p.name) for p in db.session.scalars(products.products_query())
              if p.maker in ("AVM", "Zyxel")]
    assert listed == [("AVM", "Fritz!Box 5690"), ("AVM", "Fritz!Box 7690"), ("Zyxel", "A")]
