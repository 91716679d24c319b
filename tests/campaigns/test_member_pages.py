"""The test lab's member pages as members use them: the list, a campaign, applying,
confirming or giving up a place, and their own applications. Real forms, clear
messages, nobody else's data."""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from lab.accounts.services import address_of
from lab.campaigns import notices, selection
from lab.campaigns.models import (
    CANCELLED,
    CLOSED,
    CONFIRMED,
    DECLINED,
    DRAFT,
    IN_REVIEW,
    NUMBER,
    RECRUITING,
    SELECTED,
    SELECTION,
    SHORT_TEXT,
    STARTED,
    SUBMITTED,
    TESTING,
    WAITLISTED,
    WITHDRAWN,
    Application,
)
from lab.core.clock import frozen_at
from lab.extensions import db
from tests.campaigns.helpers import (
    ADDRESS,
    count,
    events_of,
    fresh,
    notifications,
    valid_answers,
)
from tests.support import csrf_token, field_error, post_form, text

QUESTIONS = [{"kind": NUMBER, "label": "How many devices are in your home network?"},
             {"kind": SHORT_TEXT, "label": "What do you use the internet for?"}]
IOS = {"rule": "owns_os", "values": ["ios"]}
ANDROID = {"rule": "owns_os", "values": ["android"]}
BAVARIA = {"rule": "region", "values": ["DE-BY"]}
SEND = {"accept_terms": "y", "submit": "Send application"}
DRAFT_BUTTON = {"save_draft": "Save draft"}
FULL_ADDRESS = {**ADDRESS, "accept_terms": "y", "submit": "Confirm my place"}


# ---- helpers -------------------------------------------------------------------------

@pytest.fixture
def member(auth, make_tester):
    """A signed-in tester (Android, fibre, North Rhine-Westphalia) reading English."""
    return auth.login(make_tester(locale="en"))


@pytest.fixture
def english_visitor(client):
    with client.session_transaction() as session:
        session["lang"] = "en"


def cards(answer, css_class: str) -> list[str]:
    """The text of each element with this class (list items of a page)."""
    page = answer.get_data(as_text=True)
    parts = re.split(rf'<[^>]+class="[^"]*\b{css_class}\b[^"]*"', page)[1:]
    return [" ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", part)).split())
            for part in parts]


def card_titled(answer, title: str, css_class: str = "campaign-card") -> str:
    found = [card for card in cards(answer, css_class) if title in card]
    assert len(found) == 1, f"{title!r} in {len(found)} cards"
    return found[0]


def application_of(member, campaign) -> Application | None:
    db.session.expire_all()
    return db.session.scalar(select(Application).where(
        Application.member_id == member.id, Application.campaign_id == campaign.id))


def q(question) -> str:
    return f"q{question.id}"


@pytest.fixture
def offered(make_campaign, make_staff, make_tester, apply):
    """offered(member, waitlisted=None) -> a campaign in selection (one place) where
    ``member`` was selected and ``waitlisted`` (if given) is first on the waiting list."""

    def make(member, waitlisted=None, **fields):
        applicants = [member] + ([waitlisted] if waitlisted is not None else [])
        staff = make_staff()
        campaign = make_campaign(SELECTION, staff, applicants=applicants, slots=1, **fields)
        mine = application_of(member, campaign)
        selection.decide(staff, campaign, [mine.id], "select", "chosen for the test")
        if waitlisted is not None:
            theirs = application_of(waitlisted, campaign)
            selection.decide(staff, campaign, [theirs.id], "waitlist", "next in line")
        db.session.commit()
        return campaign

    return make


# ---- the list ------------------------------------------------------------------------

def test_the_list_shows_an_open_campaign_and_that_the_member_meets_its_requirements(
        client, member, make_campaign):
    make_campaign(RECRUITING, title="Router for everyone", eligibility=[ANDROID])
    card = card_titled(client.get("/campaigns/"), "Router for everyone")
    assert "open for applications" in card
    assert "You meet all requirements." in card


def test_the_list_names_the_first_unmet_requirement_in_plain_words(
        client, member, make_campaign):
    make_campaign(RECRUITING, title="iPhone case test", eligibility=[IOS, BAVARIA])
    card = card_titled(client.get("/campaigns/"), "iPhone case test")
    assert "Not for you yet: You need a device with iOS / iPadOS in your tester profile." \
        in card
    assert "(and 1 more requirement)" in card
    assert "You meet all requirements." not in card


def test_the_list_shows_the_members_own_application_instead_of_a_hint(
        client, member, make_campaign):
    make_campaign(RECRUITING, title="Applied already", applicants=[member])
    card = card_titled(client.get("/campaigns/"), "Applied already")
    assert "Your application: submitted" in card


def test_an_anonymous_visitor_sees_the_list_without_hints(
        client, english_visitor, make_campaign):
    make_campaign(RECRUITING, title="Open to all", eligibility=[IOS])
    answer = client.get("/campaigns/")
    assert answer.status_code == 200
    card = card_titled(answer, "Open to all")
    assert "requirements" not in card and "Not for you yet" not in card


@pytest.mark.parametrize("state", [DRAFT, IN_REVIEW])
def test_unpublished_campaigns_are_not_listed(client, member, make_campaign, state):
    make_campaign(state, title="Secret prototype")
    make_campaign(RECRUITING, title="Public campaign")
    page = text(client.get("/campaigns/?show=all"))
    assert "Public campaign" in page and "Secret prototype" not in page


@pytest.mark.parametrize("show, listed", [
    ("open", {"Recruiting one"}),
    ("running", {"Selecting one", "Testing one"}),
    ("past", {"Closed one", "Cancelled one"}),
    ("current", {"Recruiting one", "Selecting one", "Testing one"}),
    ("all", {"Recruiting one", "Selecting one", "Testing one", "Closed one",
             "Cancelled one"}),
])
def test_the_show_filter_lists_campaigns_of_that_phase(client, member, make_campaign, show,
                                                       listed):
    titles = {RECRUITING: "Recruiting one", SELECTION: "Selecting one",
              TESTING: "Testing one", CLOSED: "Closed one", CANCELLED: "Cancelled one"}
    for state, title in titles.items():
        make_campaign(state, title=title)
    page = text(client.get(f"/campaigns/?show={show}"))
    assert {title for title in titles.values() if title in page} == listed


def test_a_recruiting_campaign_whose_window_has_closed_counts_as_running(
        client, member, make_campaign):
    campaign = make_campaign(RECRUITING, title="Window over")
    with frozen_at(campaign.applications_close_at + timedelta(hours=1)):
        assert "Window over" not in text(client.get("/campaigns/?show=open"))
        assert "Window over" in text(client.get("/campaigns/?show=running"))


def test_the_category_filter_lists_only_that_category(client, member, make_campaign,
                                                      make_product):
    make_campaign(RECRUITING, title="Router test", product=make_product(category="router"))
    make_campaign(RECRUITING, title="Watch test", product=make_product(category="wearable"))
    page = text(client.get("/campaigns/?category=wearable"))
    assert "Watch test" in page and "Router test" not in page


def test_the_search_finds_words_of_the_title_and_summary(client, member, make_campaign):
    make_campaign(RECRUITING, title="Mesh Wi-Fi test", summary="Three access points.")
    make_campaign(RECRUITING, title="Earbuds test", summary="Noise cancelling in the train.")
    assert "Earbuds test" not in text(client.get("/campaigns/?q=mesh"))
    page = text(client.get("/campaigns/?q=noise+CANCELLING"))
    assert "Earbuds test" in page and "Mesh Wi-Fi test" not in page


def test_a_percent_sign_in_the_search_stands_for_itself(client, member, make_campaign):
    make_campaign(RECRUITING, title="Half price test", summary="Fifty percent off.")
    make_campaign(RECRUITING, title="Discount test", summary="Now 50% off.")
    page = text(client.get("/campaigns/?q=50%25"))
    assert "Discount test" in page and "Half price test" not in page


def test_a_bad_category_does_not_undo_the_show_filter(client, member, make_campaign):
    make_campaign(RECRUITING, title="Open campaign")
    make_campaign(CLOSED, title="Closed campaign")
    page = text(client.get("/campaigns/?show=past&category=zzz"))
    assert "Open campaign" not in page


def test_the_list_has_pages_of_twelve(client, member, make_campaign):
    for n in range(13):
        make_campaign(RECRUITING, title=f"Paged campaign {n:02d}")
    first, second = client.get("/campaigns/"), client.get("/campaigns/?page=2")
    assert len(cards(first, "campaign-card")) == 12
    assert len(cards(second, "campaign-card")) == 1
    assert 'rel="next"' in first.get_data(as_text=True)
    assert "13 in total, page 2 of 2" in text(second)


@pytest.mark.parametrize("url", [
    "/campaigns/?page=abc", "/campaigns/?page=-3", "/campaigns/?page=0",
    "/campaigns/?page=99999999999999999999", "/campaigns/?show=zzz",
    "/campaigns/?category=zzz", "/campaigns/?q=" + "x" * 500, "/campaigns/?q=%25_%5C",
    "/campaigns/?show=open&show=past&category=",
])
def test_garbage_in_the_list_query_is_answered_with_a_page(client, member, make_campaign,
                                                          url):
    make_campaign(RECRUITING)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", [
    "/campaigns/no-such-campaign", "/campaigns/no-such-campaign/apply",
    "/campaigns/no-such-campaign/confirm", "/me/applications/987654321",
    "/me/applications/abc", "/me/applications/99999999999",
])
def test_unknown_addresses_are_not_found(client, member, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", [
    "/campaigns/?q=%00", "/campaigns/?category=%00", "/campaigns/?show=%00",
    "/campaigns/%00", "/campaigns/a%00b/apply",
])
def test_a_nul_character_in_the_address_is_a_bad_request(client, member, url):
    assert client.get(url).status_code == 400


# ---- a campaign ----------------------------------------------------------------------

@pytest.mark.parametrize("viewer", ["anonymous", "member"])
@pytest.mark.parametrize("state", [DRAFT, IN_REVIEW])
def test_an_unpublished_campaign_is_not_found(client, auth, make_tester, make_campaign,
                                              state, viewer):
    campaign = make_campaign(state)
    if viewer == "member":
        auth.login(make_tester())
    db.session.commit()
    assert client.get(f"/campaigns/{campaign.slug}").status_code == 404
    apply_page = client.get(f"/campaigns/{campaign.slug}/apply").status_code
    assert apply_page == (404 if viewer == "member" else 302)


@pytest.mark.parametrize("state", [DRAFT, IN_REVIEW])
def test_staff_preview_an_unpublished_campaign(client, auth, make_staff, make_campaign, state):
    campaign = make_campaign(state, title="Coming soon")
    auth.login(make_staff(locale="en"))
    answer = client.get(f"/campaigns/{campaign.slug}")
    assert answer.status_code == 200
    assert "Preview: this campaign is not published yet" in text(answer)


def test_the_campaign_page_marks_each_requirement_met_or_not(client, member, make_campaign):
    campaign = make_campaign(RECRUITING, eligibility=[ANDROID, BAVARIA])
    page = text(client.get(f"/campaigns/{campaign.slug}"))
    assert "met: You need a device with Android in your tester profile." in page
    assert "not met: You must live in Bayern (as given in your tester profile)." in page
    assert "not met: You need a device with Android" not in page
    assert "Apply now" not in page


def test_an_eligible_member_is_invited_to_apply(client, member, make_campaign):
    campaign = make_campaign(RECRUITING, eligibility=[ANDROID])
    page = text(client.get(f"/campaigns/{campaign.slug}"))
    assert "Apply now" in page and "not met" not in page


def test_an_anonymous_visitor_is_asked_to_sign_in_to_apply(client, english_visitor,
                                                          make_campaign):
    campaign = make_campaign(RECRUITING)
    assert "Sign in to apply" in text(client.get(f"/campaigns/{campaign.slug}"))


# ---- applying ------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["apply", "confirm"])
def test_an_anonymous_visitor_is_sent_to_sign_in(client, make_campaign, path):
    campaign = make_campaign(RECRUITING)
    db.session.commit()
    answer = client.get(f"/campaigns/{campaign.slug}/{path}")
    assert answer.status_code == 302
    assert "/login" in answer.headers["Location"]


def test_an_anonymous_visitor_is_sent_to_sign_in_for_my_application(client, make_campaign,
                                                                    make_tester, apply):
    campaign = make_campaign(RECRUITING)
    application = apply(make_tester(), campaign)
    db.session.commit()
    answer = client.get(f"/me/applications/{application.id}")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_a_member_who_is_not_eligible_is_told_why_on_the_apply_page(client, member,
                                                                    make_campaign):
    campaign = make_campaign(RECRUITING, eligibility=[IOS], questions=QUESTIONS)
    answer = client.get(f"/campaigns/{campaign.slug}/apply")
    assert answer.status_code == 200
    page = text(answer)
    assert "You cannot apply for this campaign, because: " \
           "You need a device with iOS / iPadOS in your tester profile." in page
    assert "Send application" not in page


def test_an_application_from_a_member_who_is_not_eligible_is_refused(client, member,
                                                                     make_campaign):
    campaign = make_campaign(RECRUITING, eligibility=[IOS], questions=QUESTIONS)
    answer = post_form(client, f"/campaigns/{campaign.slug}/apply",
                       {**valid_answers(campaign), **SEND}, page="/me/profile")
    assert answer.status_code == 200
    assert "You need a device with iOS / iPadOS" in text(answer)
    assert application_of(member, campaign) is None


def test_a_missing_required_answer_is_marked_and_the_other_answers_are_kept(
        client, member, make_campaign):
    campaign = make_campaign(RECRUITING, questions=QUESTIONS)
    number, words = campaign.questions
    answer = post_form(client, f"/campaigns/{campaign.slug}/apply",
                       {q(number): "", q(words): "Streaming and gaming", **SEND})
    assert answer.status_code == 200
    assert field_error(answer, q(number)) == "Please answer this question."
    assert field_error(answer, q(words)) is None
    assert 'value="Streaming and gaming"' in answer.get_data(as_text=True)
    assert application_of(member, campaign) is None


def test_words_for_a_number_question_are_marked_and_the_other_answers_are_kept(
        client, member, make_campaign):
    campaign = make_campaign(RECRUITING, questions=QUESTIONS)
    number, words = campaign.questions
    answer = post_form(client, f"/campaigns/{campaign.slug}/apply",
                       {q(number): "abc", q(words): "Home office", **SEND})
    assert answer.status_code == 200
    assert field_error(answer, q(number)) == "Please enter a number, e.g. 3 or 2.5."
    page = answer.get_data(as_text=True)
    assert 'value="abc"' in page and 'value="Home office"' in page
    assert application_of(member, campaign) is None


def test_an_answer_to_another_campaigns_question_is_refused_and_nothing_is_saved(
        client, member, make_campaign):
    campaign = make_campaign(RECRUITING, questions=QUESTIONS)
    other = make_campaign(RECRUITING, questions=[{"kind": SHORT_TEXT, "label": "Elsewhere"}])
    tampered = {**valid_answers(campaign), q(other.questions[0]): "smuggled", **SEND}
    answer = post_form(client, f"/campaigns/{campaign.slug}/apply", tampered)
    assert answer.status_code == 200
    assert "The form contained a question that is not part of this campaign." in text(answer)
    assert count(Application, Application.member_id == member.id) == 0


def test_sending_without_accepting_the_terms_is_refused(client, member, make_campaign):
    campaign = make_campaign(RECRUITING, questions=QUESTIONS)
    answer = post_form(client, f"/campaigns/{campaign.slug}/apply",
                       {**valid_answers(campaign), "submit": "Send application"})
    assert answer.status_code == 200
    assert field_error(answer, "accept_terms") == "Please accept the participation terms."
    assert application_of(member, campaign) is None


def test_a_draft_is_saved_and_sent_later(client, member, make_campaign):
    campaign = make_campaign(RECRUITING, questions=QUESTIONS)
    number, words = campaign.questions
    url = f"/campaigns/{campaign.slug}/apply"
    answer = post_form(client, url, {q(number): "4", **DRAFT_BUTTON})
    assert answer.status_code == 302
    draft = application_of(member, campaign)
    assert draft.status == STARTED and draft.submitted_at is None
    assert draft.answers[str(number.id)]["value"] == 4
    page = client.get(url).get_data(as_text=True)
    assert 'value="4"' in page, "the draft's answer is filled in again"
    answer = post_form(client, url, {q(number): "4", q(words): "Work", **SEND})
    assert answer.status_code == 302
    sent = application_of(member, campaign)
    assert sent.status == SUBMITTED and sent.submitted_at is not None
    assert [status for status, _actor in events_of(sent)] == [STARTED, SUBMITTED]


def test_a_sent_application_is_confirmed_on_the_campaign_page(client, member, make_campaign):
    campaign = make_campaign(RECRUITING, questions=QUESTIONS)
    answer = post_form(client, f"/campaigns/{campaign.slug}/apply",
                       {**valid_answers(campaign), **SEND}, follow_redirects=True)
    page = text(answer)
    assert "Your application has been sent. Good luck!" in page
    assert "Status: submitted" in page


def test_sending_the_form_twice_keeps_one_application(client, member, make_campaign):
    campaign = make_campaign(RECRUITING, questions=QUESTIONS)
    url = f"/campaigns/{campaign.slug}/apply"
    token = csrf_token(client, url)
    for _ in range(2):
        answer = client.post(url, data={"csrf_token": token, **valid_answers(campaign),
                                        **SEND})
        assert answer.status_code == 302
    assert count(Application, Application.member_id == member.id) == 1
    application = application_of(member, campaign)
    assert [status for status, _actor in events_of(application)] == [STARTED, SUBMITTED]


def test_applying_after_the_window_closed_is_refused(client, member, make_campaign):
    campaign = make_campaign(RECRUITING, questions=QUESTIONS)
    url = f"/campaigns/{campaign.slug}/apply"
    token = csrf_token(client, url)
    with frozen_at(campaign.applications_close_at + timedelta(minutes=1)):
        assert "Applications for this campaign are closed." in text(client.get(url))
        answer = client.post(url, data={"csrf_token": token, **valid_answers(campaign),
                                        **SEND})
    assert answer.status_code == 200
    assert "Applications for this campaign are closed." in text(answer)
    assert application_of(member, campaign) is None


def test_a_member_withdraws_an_application(client, member, make_campaign, apply):
    campaign = make_campaign(RECRUITING)
    apply(member, campaign)
    db.session.commit()
    answer = post_form(client, f"/campaigns/{campaign.slug}/withdraw", {},
                       page=f"/campaigns/{campaign.slug}", follow_redirects=True)
    assert "Your application has been withdrawn." in text(answer)
    assert application_of(member, campaign).status == WITHDRAWN


def test_withdrawing_without_an_application_says_so(client, member, make_campaign):
    campaign = make_campaign(RECRUITING)
    answer = post_form(client, f"/campaigns/{campaign.slug}/withdraw", {},
                       page=f"/campaigns/{campaign.slug}", follow_redirects=True)
    assert "There is no open application to withdraw." in text(answer)
    assert application_of(member, campaign) is None


# ---- confirming or giving up a place -------------------------------------------------

def test_a_selected_member_confirms_with_an_address(client, member, offered):
    campaign = offered(member)
    url = f"/campaigns/{campaign.slug}/confirm"
    assert client.get(url).status_code == 200
    answer = post_form(client, url, FULL_ADDRESS, follow_redirects=True)
    assert "Thank you! Your place is confirmed." in text(answer)
    application = application_of(member, campaign)
    assert application.status == CONFIRMED and application.confirmed_at is not None
    address = address_of(member)
    assert (address.full_name, address.postcode, address.city) == (
        "Erika Mustermann", "51147", "Köln")


def test_confirming_without_accepting_the_terms_is_refused(client, member, offered):
    campaign = offered(member)
    answer = post_form(client, f"/campaigns/{campaign.slug}/confirm",
                       {**FULL_ADDRESS, "accept_terms": ""})
    assert answer.status_code == 200
    assert field_error(answer, "accept_terms") == "Please accept the participation terms."
    assert 'value="Heidestraße 17"' in answer.get_data(as_text=True)
    assert application_of(member, campaign).status == SELECTED
    assert address_of(member) is None


def test_a_bad_postcode_is_marked_and_the_place_stays_unconfirmed(client, member, offered):
    campaign = offered(member)
    answer = post_form(client, f"/campaigns/{campaign.slug}/confirm",
                       {**FULL_ADDRESS, "postcode": "ABC"})
    assert answer.status_code == 200
    assert field_error(answer, "postcode") == \
        "This is not a valid postcode for the chosen country."
    assert 'value="Erika Mustermann"' in answer.get_data(as_text=True)
    assert application_of(member, campaign).status == SELECTED
    assert address_of(member) is None


def test_the_confirm_page_without_an_offer_sends_the_member_back(client, member,
                                                               make_campaign, apply):
    campaign = make_campaign(RECRUITING)
    apply(member, campaign)
    db.session.commit()
    answer = client.get(f"/campaigns/{campaign.slug}/confirm", follow_redirects=True)
    assert "There is no place waiting for your confirmation." in text(answer)


def test_giving_up_a_place_offers_it_to_the_waiting_list(client, member, make_tester,
                                                         offered):
    waiting = make_tester()
    campaign = offered(member, waitlisted=waiting)
    assert application_of(waiting, campaign).status == WAITLISTED
    answer = post_form(client, f"/campaigns/{campaign.slug}/decline", {},
                       page=f"/campaigns/{campaign.slug}/confirm", follow_redirects=True)
    assert "You gave up your place." in text(answer)
    assert application_of(member, campaign).status == DECLINED
    assert application_of(waiting, campaign).status == SELECTED
    assert len(notifications(waiting, notices.OFFERED_KIND)) == 1
    assert fresh(campaign).slots_taken == 1


# ---- nobody else's application -------------------------------------------------------

def test_another_members_application_is_not_found(client, member, make_tester,
                                                  make_campaign, apply):
    campaign = make_campaign(RECRUITING)
    theirs = apply(make_tester(), campaign)
    mine = apply(member, make_campaign(RECRUITING))
    db.session.commit()
    assert client.get(f"/me/applications/{mine.id}").status_code == 200
    assert client.get(f"/me/applications/{theirs.id}").status_code == 404


@pytest.mark.parametrize("action, data", [
    ("withdraw", {}), ("decline", {}), ("confirm", FULL_ADDRESS),
    ("apply", {"save_draft": "Save draft"}),
])
def test_a_post_never_changes_another_members_application(client, member, make_tester,
                                                          offered, action, data):
    other = make_tester()
    campaign = offered(other)
    before = events_of(application_of(other, campaign))
    answer = post_form(client, f"/campaigns/{campaign.slug}/{action}",
                       {"application_id": application_of(other, campaign).id, **data},
                       page=f"/campaigns/{campaign.slug}")
    assert answer.status_code in (200, 302)
    theirs = application_of(other, campaign)
    assert theirs.status == SELECTED and events_of(theirs) == before
    assert address_of(member) is None and address_of(other) is None
    assert application_of(member, campaign) is None


# ---- CSRF ----------------------------------------------------------------------------

@pytest.fixture
def ready(member, make_campaign, offered, apply):
    """ready(action) -> (campaign, form data) such that the POST would succeed with a
    token, and a check that nothing changed."""

    def make(action):
        if action == "apply":
            campaign = make_campaign(RECRUITING, questions=QUESTIONS)
            return campaign, {**valid_answers(campaign), **SEND}
        if action == "withdraw":
            campaign = make_campaign(RECRUITING)
            apply(member, campaign)
            db.session.commit()
            return campaign, {}
        return offered(member), FULL_ADDRESS

    return make


@pytest.mark.parametrize("action", ["apply", "withdraw", "confirm", "decline"])
def test_a_post_without_csrf_token_is_refused_and_changes_nothing(client, member, ready,
                                                                  action):
    campaign, data = ready(action)
    before = application_of(member, campaign)
    before = before and (before.status, len(events_of(before)))
    answer = client.post(f"/campaigns/{campaign.slug}/{action}", data=data)
    assert answer.status_code == 400
    after = application_of(member, campaign)
    assert (after and (after.status, len(events_of(after)))) == before
    assert address_of(member) is None


@pytest.mark.parametrize("action", ["apply", "withdraw", "confirm", "decline"])
def test_the_same_post_with_its_token_is_accepted(client, member, ready, action):
    campaign, data = ready(action)
    answer = post_form(client, f"/campaigns/{campaign.slug}/{action}", data,
                       page="/me/profile")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/campaigns/{campaign.slug}")


# ---- my area -------------------------------------------------------------------------

def test_my_area_lists_my_applications_with_their_history(client, member, make_campaign,
                                                          make_tester, apply):
    sent = make_campaign(RECRUITING, title="Sent campaign")
    withdrawn = make_campaign(RECRUITING, title="Withdrawn campaign")
    apply(member, sent)
    apply(member, withdrawn)
    apply(make_tester(), make_campaign(RECRUITING, title="Somebody else's campaign"))
    db.session.commit()
    post_form(client, f"/campaigns/{withdrawn.slug}/withdraw", {}, page="/me/profile",
              follow_redirects=True)
    answer = client.get("/me/")
    assert answer.status_code == 200
    assert "Somebody else's campaign" not in text(answer)
    sent_card = card_titled(answer, "Sent campaign", "my-application")
    withdrawn_card = card_titled(answer, "Withdrawn campaign", "my-application")
    assert "started, not sent" in sent_card and "withdrawn" not in sent_card
    assert withdrawn_card.count("withdrawn") == 2, "the badge and the history's last step"


def test_my_area_says_when_there_are_no_applications(client, member):
    assert "You have not applied for a test yet." in text(client.get("/me/"))


def test_my_application_shows_my_answers_and_history(client, member, make_campaign, apply):
    campaign = make_campaign(RECRUITING, questions=QUESTIONS)
    application = apply(member, campaign, {q(campaign.questions[1]): "Video calls"})
    db.session.commit()
    page = text(client.get(f"/me/applications/{application.id}"))
    assert "What do you use the internet for? Video calls" in page
    assert "How many devices are in your home network? 3" in page
    assert "started, not sent" in page and "Status: submitted" in page


def test_a_not_selected_member_reads_why(client, member, make_tester, make_campaign, apply):
    campaign = make_campaign(TESTING, applicants=[member])
    application = application_of(member, campaign)
    page = text(client.get(f"/me/applications/{application.id}"))
    assert "Status: not selected" in page
    assert "Reason: the places went to other applicants by our published ranking" in page


def test_pages_of_my_area_are_never_an_error_for_garbage(client, member):
    assert client.get("/me/?page=abc").status_code == 200
    assert client.get(f"/me/applications/{2**63}").status_code == 404


def test_garbage_answers_are_refused_without_an_error_page(client, member, make_campaign):
    campaign = make_campaign(RECRUITING, questions=[
        {"kind": NUMBER, "label": "Number"}, {"kind": "single", "label": "One"},
        {"kind": "multiple", "label": "Many"}, {"kind": "yes_no", "label": "Yes?"}])
    number, single, multiple, yes_no = campaign.questions
    answer = post_form(client, f"/campaigns/{campaign.slug}/apply", {
        q(number): "1e999", q(single): "Not an option", q(multiple): ["Often", "Nope"],
        q(yes_no): "maybe", f"q{2**70}": "x", **SEND})
    assert answer.status_code == 200
    assert application_of(member, campaign) is None
    answer = post_form(client, f"/campaigns/{campaign.slug}/apply", {
        q(number): "NaN", q(single): "Often", q(multiple): "Never", q(yes_no): "maybe",
        **SEND})
    assert answer.status_code == 200
    assert field_error(answer, q(number)) == "Please enter a number, e.g. 3 or 2.5."
    assert field_error(answer, q(yes_no)) == "Please answer yes or no."
    assert application_of(member, campaign) is None


def test_nul_characters_in_answers_are_refused_and_nothing_saved(client, member,
                                                                   make_campaign):
    campaign = make_campaign(RECRUITING, questions=QUESTIONS)
    number, words = campaign.questions
    answer = post_form(client, f"/campaigns/{campaign.slug}/apply",
                       {q(number): "3\x00", q(words): "Gaming\x00", **SEND})
    assert answer.status_code == 400
    assert application_of(member, campaign) is None


def test_nul_characters_in_the_address_are_refused_and_nothing_saved(client, member,
                                                                     offered):
    campaign = offered(member)
    answer = post_form(client, f"/campaigns/{campaign.slug}/confirm",
                       {**FULL_ADDRESS, "full_name": "Erika\x00", "city": "K\x00ln"})
    assert answer.status_code == 400
    assert address_of(member) is None


def test_the_list_never_fails_when_a_campaign_closes_now(client, member, make_campaign):
    campaign = make_campaign(RECRUITING)
    with frozen_at(campaign.applications_close_at):
        assert client.get("/campaigns/").status_code == 200
        assert client.get(f"/campaigns/{campaign.slug}").status_code == 200

