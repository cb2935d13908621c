"""Sessions over a real database: start by code, answer every item type, skip, resume,
finish with levels and scores; refusals (closed campaign, item not asked, finished session,
another learner's session); a double submit counts once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from assessments import campaigns, sessions
from assessments.checking import InvalidResponse, ItemData, example_right_response
from assessments.checking import example_wrong_response as wrong_response
from assessments.models import (
    AnswerStatus,
    AssessmentMode,
    AssessmentSession,
    FrameworkKind,
    Item,
    Referral,
    Response,
    SessionStatus,
)
from learners.database import make_engine, make_session_factory, utcnow
from tests.assessments.factories import (
    ITEMS,
    make_answered_session,
    make_campaign,
    make_framework,
)
from tests.learners.factories import make_learner
from tests.web.statements import count_statements


def right(item: Item):
    return example_right_response(ItemData(item.type, item.body, item.key, item.tolerance))


def wrong(item: Item):
    return wrong_response(ItemData(item.type, item.body, item.key, item.tolerance))


def answers_count(db) -> int:
    return db.scalar(select(func.count()).select_from(Response).where(Response.status.is_not(None)))


def test_a_learner_answers_every_item_type_and_gets_levels_and_a_score(dbsession):
    campaign = make_campaign(dbsession)
    learner = make_learner(dbsession)
    session = sessions.start(dbsession, campaigns.format_code(campaign.code).lower(), learner)
    dbsession.commit()
    seen_types = []
    item = sessions.current_item(dbsession, session)
    while item is not None:
        seen_types.append(item.type.value)
        outcome = sessions.answer(dbsession, session, item.id, right(item), time_spent_ms=1200)
        dbsession.commit()
        assert outcome.status is AnswerStatus.OK
        item = outcome.next_item
    assert outcome.finished and session.status is SessionStatus.FINISHED
    assert sessions.progress(dbsession, session) == (len(ITEMS), len(ITEMS))
    assert sorted(seen_types) == sorted(i["type"] for i in ITEMS)
    assert {"task_webmail", "task_form", "task_phishing"} <= set(seen_types)
    results = sessions.stored_results(session)
    assert [r.competence for r in results.competences] == ["1.1", "1.2", "4.1"]
    for result in results.competences:
        assert result.answered == result.correct > 0
        assert 1 <= result.level <= 3  # never above the hardest item asked (level 3)
        assert result.score // 8 == result.level
        assert result.se > 0
    assert results.total_score == sum(r.score for r in results.competences)
    assert session.total_score == results.total_score and results.referral is None
    stored = dbsession.scalars(select(Response).order_by(Response.position)).all()
    assert all(r.time_spent_ms == 1200 and r.item_version == 1 for r in stored)


def test_wrong_answers_give_lower_levels_than_right_ones(dbsession):
    campaign = make_campaign(dbsession)
    good, poor = make_learner(dbsession, name="Bon"), make_learner(dbsession, name="Debut")
    totals = {}
    for learner, respond in ((good, right), (poor, wrong)):
        session = sessions.start(dbsession, campaign.code, learner)
        item = session.current_item
        while item is not None:
            item = sessions.answer(dbsession, session, item.id, respond(item)).next_item
        totals[learner.display_name] = session.total_score
        if respond is wrong:
            assert all(r.level == 0 for r in session.results)
    assert totals["Bon"] > totals["Debut"]


def test_skip_and_double_submit_count_once(dbsession):
    campaign = make_campaign(dbsession)
    session = sessions.start(dbsession, campaign.code, make_learner(dbsession))
    first = session.current_item
    outcome = sessions.answer(dbsession, session, first.id, right(first))
    again = sessions.answer(dbsession, session, first.id, right(first))
    assert again.repeated and again.status is AnswerStatus.OK
    assert again.next_item.id == outcome.next_item.id
    assert answers_count(dbsession) == 1
    skipped = sessions.skip(dbsession, session, outcome.next_item.id)
    assert skipped.status is AnswerStatus.SKIPPED
    assert answers_count(dbsession) == 2


def test_a_form_is_read_only_once_its_item_awaits_an_answer(dbsession):
    """The page's form goes to the domain, which says first whether the item still awaits an
    answer: a double submit is a repeated outcome whatever the form holds."""
    campaign = make_campaign(dbsession)
    session = sessions.start(dbsession, campaign.code, make_learner(dbsession))
    first = session.current_item  # a qcu: its page posts one ``choice``
    with pytest.raises(InvalidResponse) as error:
        sessions.answer_form(dbsession, session, first.id, {"intent": "answer"})
    assert (error.value.code, error.value.field) == ("choice_expected", "choices")
    assert answers_count(dbsession) == 0
    outcome = sessions.answer_form(dbsession, session, first.id, {"choice": right(first)})
    assert outcome.status is AnswerStatus.OK and not outcome.repeated
    again = sessions.answer_form(dbsession, session, first.id, {})
    assert again.repeated and again.status is AnswerStatus.OK
    assert answers_count(dbsession) == 1


def test_an_item_not_asked_is_refused(dbsession):
    campaign = make_campaign(dbsession)
    session = sessions.start(dbsession, campaign.code, make_learner(dbsession))
    later = dbsession.scalars(select(Item).where(Item.uid == ITEMS[-1]["id"])).one()
    with pytest.raises(sessions.ItemNotAsked):
        sessions.answer(dbsession, session, later.id, ["s2"])
    assert answers_count(dbsession) == 0


def test_a_malformed_answer_is_refused_and_not_counted(dbsession):
    campaign = make_campaign(dbsession)
    session = sessions.start(dbsession, campaign.code, make_learner(dbsession))
    item = session.current_item
    with pytest.raises(InvalidResponse):
        sessions.answer(dbsession, session, item.id, "zz")
    assert answers_count(dbsession) == 0
    assert sessions.current_item(dbsession, session).id == item.id


def test_a_finished_session_refuses_answers(dbsession):
    campaign = make_campaign(dbsession)
    session = sessions.start(dbsession, campaign.code, make_learner(dbsession))
    item = session.current_item
    sessions.finish(dbsession, session)
    with pytest.raises(sessions.SessionFinished):
        sessions.answer(dbsession, session, item.id, right(item))
    assert sessions.current_item(dbsession, session) is None


def test_resume_after_closing_the_browser(database_url):
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    try:
        with factory() as db:
            campaign = make_campaign(db)
            learner = make_learner(db)
            session = sessions.start(db, campaign.code, learner)
            first = session.current_item
            second = sessions.answer(db, session, first.id, right(first)).next_item
            db.commit()
            code, learner_id, session_id = campaign.code, learner.id, session.id
        with factory() as db:  # a new request, as after closing the browser
            resumed = sessions.start(db, code, learner_id)
            assert resumed.id == session_id
            assert sessions.current_item(db, resumed).id == second.id
            assert sessions.get_owned(db, session_id, learner_id).id == session_id
    finally:
        engine.dispose()


def test_campaign_dates_and_codes(dbsession):
    now = utcnow()
    closed = make_campaign(dbsession, closes_at=now - timedelta(days=1),
                           opens_at=now - timedelta(days=9))  # fmt: skip
    later = make_campaign(dbsession, opens_at=now + timedelta(days=1))
    learner = make_learner(dbsession)
    with pytest.raises(campaigns.CampaignClosed):
        sessions.start(dbsession, closed.code, learner)
    with pytest.raises(campaigns.CampaignNotOpenYet):
        sessions.start(dbsession, later.code, learner)
    with pytest.raises(campaigns.UnknownCampaignCode):
        sessions.start(dbsession, "ZZZZ-ZZZZ", learner)
    assert closed.code != later.code
    assert set(closed.code) <= set(campaigns.CODE_ALPHABET) and len(closed.code) == 8
    assert not set("01OIL25SZ8B") & set(campaigns.CODE_ALPHABET)


def test_another_learners_session_is_not_found(dbsession):
    campaign = make_campaign(dbsession)
    owner, other = make_learner(dbsession, name="owner"), make_learner(dbsession, name="other")
    session = sessions.start(dbsession, campaign.code, owner)
    with pytest.raises(sessions.SessionNotFound):
        sessions.get_owned(dbsession, session.id, other)
    with pytest.raises(sessions.SessionNotFound):
        sessions.get_owned(dbsession, session.id + 1000, owner)


def test_adaptive_session_is_reproducible_from_its_seed(database_url):
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    try:
        with factory() as db:
            framework = make_framework(db)
            campaign = make_campaign(
                db, framework, mode=AssessmentMode.ADAPTIVE, min_items=4, max_items=6
            )
            a, b = make_learner(db, name="aa"), make_learner(db, name="bb")
            first = sessions.start(db, campaign.code, a)
            second = sessions.start(db, campaign.code, b)
            second.seed = first.seed
            db.query(Response).filter_by(session_id=second.id).delete()
            db.flush()
            db.refresh(second)
            sessions._advance(db, second, utcnow())
            db.commit()
            orders = []
            for session in (first, second):
                order, item = [], session.current_item
                while item is not None:
                    order.append(item.uid)
                    item = sessions.answer(db, session, item.id, right(item)).next_item
                db.commit()
                orders.append(order)
                assert 4 <= len(order) <= 6
                assert len(session.results) == 3
            assert orders[0] == orders[1]
    finally:
        engine.dispose()


def test_adaptive_campaigns_keep_an_overexposed_item_out(dbsession):
    framework = make_framework(dbsession)
    campaign = make_campaign(
        dbsession, framework, mode=AssessmentMode.ADAPTIVE, min_items=3, max_items=3
    )
    items = {i.uid: i for i in dbsession.scalars(select(Item))}
    worn = [items["essai-1.1-001"], items["essai-1.2-001"], items["essai-4.1-001"]]
    earlier = make_learner(dbsession, name="avant")
    for _ in range(30):
        answers = [(item, AnswerStatus.OK, 1000) for item in worn]
        make_answered_session(dbsession, campaign, earlier.id, answers)
    session = sessions.start(dbsession, campaign.code, make_learner(dbsession, name="après"))
    exposure = sessions._campaign_exposure(dbsession, session, sessions._pool(dbsession, session))
    assert exposure.takers == 31 and exposure.uses.sum() == 90 + 1  # + the item now shown
    asked, item = [], session.current_item
    while item is not None:
        asked.append(item.uid)
        item = sessions.answer(dbsession, session, item.id, right(item)).next_item
    assert len(asked) == 3 and not {i.uid for i in worn} & set(asked)


def test_a_timed_item_answered_too_late_is_timed_out(dbsession):
    items = [{**ITEMS[0], "timer_seconds": 30}]
    framework = make_framework(dbsession, items=items)
    campaign = make_campaign(dbsession, framework, item_uids=[ITEMS[0]["id"]], min_items=1)
    start = utcnow()
    session = sessions.start(dbsession, campaign.code, make_learner(dbsession), now=start)
    item = session.current_item
    outcome = sessions.answer(dbsession, session, item.id, "b", now=start + timedelta(minutes=2))
    assert outcome.status is AnswerStatus.TIMED_OUT and outcome.finished


def test_an_item_page_reads_the_answers_count_and_its_timer_in_one_statement(dbsession):
    items = [{**item, "timer_seconds": 30} for item in ITEMS[:2]]
    framework = make_framework(dbsession, items=items)
    uids = [item["id"] for item in items]
    campaign = make_campaign(dbsession, framework, item_uids=uids, min_items=2)
    start = utcnow()
    session = sessions.start(dbsession, campaign.code, make_learner(dbsession), now=start)
    first = session.current_item
    sessions.answer(dbsession, session, first.id, right(first), now=start + timedelta(seconds=5))
    dbsession.commit()
    second = session.current_item
    asked = start + timedelta(seconds=5)  # the second item was asked with the first answer
    dbsession.expire(session, ["responses"])  # as a question page finds it: rows not loaded
    with count_statements(dbsession.get_bind()) as statements:
        read = sessions.standing(dbsession, session, second, now=asked + timedelta(seconds=12))
    assert len(statements) == 1
    assert read == sessions.Standing(answered=1, total=2, seconds_left=18)
    # Rows already loaded (an answer refused, its page shown again): read from them.
    assert session.responses and not dbsession.dirty
    with count_statements(dbsession.get_bind()) as statements:
        again = sessions.standing(dbsession, session, second, now=asked + timedelta(minutes=5))
    assert not statements
    assert again == sessions.Standing(answered=1, total=2, seconds_left=0)
    late = start + timedelta(seconds=31)
    assert sessions.standing(dbsession, session, first, now=late).seconds_left == 0  # over


def test_the_session_time_limit_finishes_it(dbsession):
    campaign = make_campaign(dbsession, time_limit_minutes=10)
    start = utcnow()
    session = sessions.start(dbsession, campaign.code, make_learner(dbsession), now=start)
    item = session.current_item
    with pytest.raises(sessions.SessionFinished):
        sessions.answer(dbsession, session, item.id, right(item), now=start + timedelta(hours=1))
    assert session.finished
    assert dbsession.get(Response, session.responses[0].id).status is AnswerStatus.TIMED_OUT


def test_beginner_diagnostic_gives_a_referral(dbsession):
    referral = {"thresholds": {"autonome": 0.8, "a_accompagner": 0.5}}
    framework = make_framework(dbsession, slug="debut", kind="referral", referral=referral)
    assert framework.kind is FrameworkKind.REFERRAL
    fixed = make_campaign(dbsession, framework)
    outcomes = {}
    for name, share in (("fort", 1.0), ("moyen", 0.6), ("faible", 0.0)):
        session = sessions.start(dbsession, fixed.code, make_learner(dbsession, name=name))
        item, n = session.current_item, 0
        while item is not None:
            good = n < round(share * len(ITEMS))
            item = sessions.answer(
                dbsession, session, item.id, right(item) if good else wrong(item)
            ).next_item
            n += 1
        outcomes[name] = session.referral
    assert outcomes == {
        "fort": Referral.AUTONOME, "moyen": Referral.A_ACCOMPAGNER,
        "faible": Referral.ATELIER_INITIATION}  # fmt: skip
    adaptive = make_campaign(dbsession, framework, mode=AssessmentMode.ADAPTIVE, min_items=3,
                             max_items=8)  # fmt: skip
    session = sessions.start(dbsession, adaptive.code, make_learner(dbsession, name="adapt"))
    item = session.current_item
    while item is not None:
        item = sessions.skip(dbsession, session, item.id).next_item
    assert session.referral is Referral.ATELIER_INITIATION


def test_response_matrix_lists_current_version_answers(dbsession):
    campaign = make_campaign(dbsession)
    session = sessions.start(dbsession, campaign.code, make_learner(dbsession))
    first = session.current_item
    second = sessions.answer(dbsession, session, first.id, right(first)).next_item
    sessions.skip(dbsession, session, second.id)
    matrix = sessions.response_matrix(dbsession, "essai")
    key = f"session-{session.id}"
    assert matrix == [(key, first.uid, True), (key, second.uid, False)]
    assert sessions.response_matrix(dbsession, "autre") == []
    first.version = 2  # a new version: old answers no longer describe the item
    dbsession.flush()
    assert sessions.response_matrix(dbsession) == [(key, second.uid, False)]


def _engine_for_four(database_url: str):
    """An engine four threads can use at once (PostgreSQL's pool must hold four)."""
    if "postgresql" in database_url:
        return make_engine(database_url, pool_size=4)
    return make_engine(database_url)


def _four_at_once(work) -> None:
    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_two_starts_sent_at_once_make_one_session(database_url):
    """A double click on « Commencer », or two tabs: the second start resumes the first one's
    session instead of opening another."""
    engine = _engine_for_four(database_url)
    factory = make_session_factory(engine)
    try:
        with factory() as db:
            code = make_campaign(db).code
            learner_id = make_learner(db).id
            db.commit()
        barrier = threading.Barrier(4)
        started, failures = [], []

        def start():
            with factory() as db:
                barrier.wait()
                try:
                    started.append(sessions.start(db, code, learner_id).id)
                    db.commit()
                except Exception as exc:
                    failures.append(exc)

        _four_at_once(start)
        assert failures == []
        assert len(set(started)) == 1
        with factory() as db:
            assert db.scalar(select(func.count()).select_from(AssessmentSession)) == 1
    finally:
        engine.dispose()


def test_concurrent_double_submit_counts_once(database_url):
    engine = _engine_for_four(database_url)
    factory = make_session_factory(engine)
    try:
        with factory() as db:
            campaign = make_campaign(db)
            session = sessions.start(db, campaign.code, make_learner(db))
            db.commit()
            session_id, item_id = session.id, session.current_item_id
            answer = right(session.current_item)
        barrier = threading.Barrier(4)
        outcomes, failures = [], []

        def submit():
            with factory() as db:
                own = db.get(AssessmentSession, session_id)
                barrier.wait()
                try:
                    outcomes.append(sessions.answer(db, own, item_id, answer))
                    db.commit()
                except Exception as exc:
                    failures.append(exc)

        _four_at_once(submit)
        assert failures == []
        assert sum(not o.repeated for o in outcomes) == 1
        with factory() as db:
            assert answers_count(db) == 1
            asked = db.scalar(select(func.count()).select_from(Response))
            assert asked == 2  # the answered item and one next item, not four
    finally:
        engine.dispose()


def test_a_rolled_back_answer_leaves_no_row_behind_and_ids_can_be_reused(dbsession):
    """The row an answer asks is written by a Core statement: after a rollback nothing of it
    stays in the session, so a row given the same id later (SQLite reuses it) is read fine."""
    framework = make_framework(dbsession)
    campaign = make_campaign(dbsession, framework, item_uids=[i["id"] for i in ITEMS[:3]])
    learner = make_learner(dbsession)
    dbsession.commit()
    for _ in range(2):
        session = sessions.start(dbsession, campaign.code, learner)
        item = session.current_item
        outcome = sessions.answer(dbsession, session, item.id, right(item))
        assert outcome.next_item is not None
        assert [r.status for r in session.responses] == [AnswerStatus.OK, None]
        dbsession.rollback()
    assert dbsession.scalar(select(func.count()).select_from(Response)) == 0
