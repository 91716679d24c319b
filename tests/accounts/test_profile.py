"""The tester profile, its devices, and the private shipping address."""

import pytest

from lab.accounts import services
from lab.accounts.models import OwnedDevice
from lab.core.errors import DomainError
from lab.extensions import db
from tests.support import post_form

PROFILE = {"connection_type": "fibre", "has_mobile_contract": "yes", "region": "DE-NW",
           "postcode_area": "53", "interests": ["routers", "apps"], "locale": "de"}
ADDRESS = {"full_name": "Anna Beispiel", "street": "Hauptstraße 1", "extra": "",
           "postcode": "53113", "city": "Bonn", "country": "DE", "phone": ""}


def test_a_member_saves_the_tester_profile(client, auth, make_member):
    member = auth.login(make_member())
    answer = post_form(client, "/me/profile", PROFILE)
    assert answer.status_code == 302
    db.session.expire_all()
    profile = member.profile
    assert (profile.connection_type, profile.has_mobile_contract, profile.region,
            profile.postcode_area) == ("fibre", True, "DE-NW", "53")
    assert profile.interest_codes == ["apps", "routers"]


def test_saved_profile_is_shown_when_the_page_is_opened_again(client, auth, make_member):
    auth.login(make_member())
    post_form(client, "/me/profile", PROFILE)
    html = client.get("/me/profile").get_data(as_text=True)
    assert 'value="53"' in html
    assert '<option selected value="fibre">' in html


@pytest.mark.parametrize("area", ["5", "531", "ab", "5 3"])
def test_a_bad_postcode_area_is_refused_beside_the_field_with_input_kept(client, auth,
                                                                         make_member, area):
    member = auth.login(make_member())
    answer = post_form(client, "/me/profile", {**PROFILE, "postcode_area": area})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert 'id="postcode_area-error"' in html
    assert f'value="{area}"' in html
    db.session.expire_all()
    assert member.profile.postcode_area is None


def test_an_unknown_choice_is_refused(client, auth, make_member):
    auth.login(make_member())
    answer = post_form(client, "/me/profile", {**PROFILE, "connection_type": "carrier-pigeon"})
    assert answer.status_code == 200
    assert 'id="connection_type-error"' in answer.get_data(as_text=True)


def test_a_member_adds_and_removes_a_device(client, auth, make_member):
    member = auth.login(make_member())
    added = post_form(client, "/me/profile/devices",
                      {"kind": "smartphone", "brand": "Google", "model": "Pixel 8",
                       "os": "android"}, page="/me/profile")
    assert added.status_code == 302
    db.session.expire_all()
    [device] = member.profile.devices
    assert (device.brand, device.model, device.os) == ("Google", "Pixel 8", "android")
    removed = post_form(client, f"/me/profile/devices/{device.id}/remove", {}, page="/me/profile")
    assert removed.status_code == 302
    db.session.expire_all()
    assert member.profile.devices == []


def test_an_over_long_device_model_is_refused_with_input_kept(client, auth, make_member):
    auth.login(make_member())
    answer = post_form(client, "/me/profile/devices",
                       {"kind": "router", "brand": "AVM", "model": "X" * 81, "os": "firmware"},
                       page="/me/profile")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert 'id="model-error"' in html
    assert 'value="AVM"' in html


def test_a_member_cannot_remove_another_members_device(client, auth, make_member):
    owner = make_member()
    device = services.add_device(owner, kind="router", brand="AVM", model="7590", os="firmware")
    auth.login(make_member())
    post_form(client, f"/me/profile/devices/{device.id}/remove", {}, page="/me/profile")
    db.session.expire_all()
    assert db.session.get(OwnedDevice, device.id) is not None


def test_the_device_list_is_limited(make_member):
    member = make_member()
    for n in range(services.MAX_DEVICES):
        services.add_device(member, kind="router", brand="AVM", model=str(n), os="firmware")
    with pytest.raises(DomainError):
        services.add_device(member, kind="router", brand="AVM", model="one more", os="firmware")


def test_a_member_saves_a_private_address(client, auth, make_member):
    member = auth.login(make_member())
    answer = post_form(client, "/me/address", ADDRESS)
    assert answer.status_code == 302
    address = services.address_of(member)
    assert (address.street, address.postcode, address.city) == ("Hauptstraße 1", "53113", "Bonn")


@pytest.mark.parametrize("country,postcode", [("DE", "1234"), ("DE", "ABCDE"), ("AT", "10100"),
                                              ("CH", "80")])
def test_a_postcode_that_does_not_fit_the_country_is_refused(client, auth, make_member,
                                                             country, postcode):
    member = auth.login(make_member())
    answer = post_form(client, "/me/address", {**ADDRESS, "country": country,
                                               "postcode": postcode})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert 'id="postcode-error"' in html
    assert 'value="Hauptstraße 1"' in html
    assert services.address_of(member) is None


def test_over_long_address_fields_are_refused(client, auth, make_member):
    auth.login(make_member())
    answer = post_form(client, "/me/address", {**ADDRESS, "city": "B" * 81})
    assert answer.status_code == 200
    assert 'id="city-error"' in answer.get_data(as_text=True)


def test_a_member_never_sees_another_members_address(client, auth, make_member):
    other = make_member()
    services.save_address(other, **{**ADDRESS, "street": "Geheimweg 7"})
    auth.login(make_member())
    for url in ("/me/address", "/me/", "/me/profile", f"/admin/users/{other.id}"):
        assert "Geheimweg" not in client.get(url).get_data(as_text=True)


def test_a_member_deletes_the_address(client, auth, make_member):
    member = auth.login(make_member())
    services.save_address(member, **ADDRESS)
    db.session.commit()
    post_form(client, "/me/address/delete", {}, page="/me/address")
    db.session.expire_all()
    assert services.address_of(member) is None
