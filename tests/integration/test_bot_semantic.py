"""The optional sentence encoder through the service: a site whose deployment chose it
(``PARLEY_BOT_ENCODER=wordllama``: ``deps.bot_encoder``) answers a colloquial question the
lexical matcher only offers buttons for; the same question without it is unchanged."""
from chalicelib.adapters import encoder as encoder_adapter
from chalicelib.services import bot as bot_service
from tests.integration import test_bot
from tests.integration.test_bot import Visitor, extra

api = test_bot.api  # the same fixtures: the API over moto, the demo KB seeded
kb = test_bot.kb

QUESTION = "do you guys do okta"


def test_without_the_encoder_the_bot_is_lexical(api, deps, kb):
    assert deps.bot_encoder() is None  # not chosen: the default
    v = Visitor(api, locale="en-US")
    v.say(QUESTION, deps)
    reply = extra(v.last_bot())
    assert reply["kind"] == "suggest" and reply["entry_id"] is None


def test_with_the_encoder_a_colloquial_question_is_answered(api, deps, kb, monkeypatch):
    monkeypatch.setenv("PARLEY_BOT_ENCODER", "wordllama")
    deps.bot_encoder = encoder_adapter.load
    bot_service.clear_caches()
    v = Visitor(api, locale="en-US")
    v.say(QUESTION, deps)
    reply = v.last_bot()
    assert extra(reply)["kind"] == "answer" and extra(reply)["entry_id"] == "en-sso"
    assert reply["text"].startswith("Team plans support SAML single sign")
    bot, _key = bot_service.load_bot(deps, "demo")
    assert bot.matcher.encoder is encoder_adapter.load()
