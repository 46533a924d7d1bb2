"""Cross-language readings of a bilingual KB (bridge.py): a Chinese question finds an entry
written only in English and the reverse, through CC-CEDICT reduced to the words the KB uses;
answered only when clearly sure, else its entries are suggested. No AWS."""
from chalicelib.domain.bot import bridge
from chalicelib.domain.bot.bridge import Bridge
from chalicelib.domain.bot.matcher import KBEntry, Matcher

BILINGUAL = [
    KBEntry("stores", "Where are your stores?", ["Store locations", "Shop address"],
            "We have two shops: 88 Nanjing Road and 12 Huaihai Road, open 10am to 9pm."),
    KBEntry("shipping", "How much is shipping?", ["Delivery fee", "Shipping cost"],
            "Shipping is free over 199 yuan, otherwise 10 yuan."),
    KBEntry("returns", "Can I return my glasses?", ["Return policy", "Refund"],
            "Frames can be returned within 30 days with the receipt."),
    KBEntry("eye-test", "Do you offer eye tests?", ["Eye exam", "Vision test"],
            "Free eye tests in every store, book online."),
    KBEntry("sunglasses", "Do you sell prescription sunglasses?", ["Sunglasses with my prescription"],
            "Yes, any frame can take tinted prescription lenses for 300 yuan more."),
    KBEntry("warranty", "What is the warranty on frames?", ["Frame warranty", "Broken frame"],
            "Frames have a one-year warranty against defects."),
    KBEntry("kids", "儿童近视怎么防控?", ["近视防控镜片", "孩子近视"],
            "我们有近视防控镜片,适合6-16岁儿童,价格1800元起。"),
    KBEntry("contacts", "隐形眼镜有哪些品牌?", ["隐形眼镜品牌", "日抛"],
            "我们有强生、博士伦等品牌的日抛和月抛隐形眼镜。"),
    KBEntry("payment", "支持哪些付款方式?", ["付款方式", "可以刷卡吗"],
            "支持微信、支付宝、银联卡和现金。"),
    KBEntry("hours", "营业时间是几点到几点?", ["几点开门", "营业时间"],
            "每天上午10点到晚上9点营业,节假日不休息。"),
    KBEntry("invoice", "可以开发票吗?", ["开发票", "发票"],
            "可以开电子发票,付款后在订单页申请。"),
    KBEntry("lens-time", "配眼镜要多久?", ["镜片加工时间", "多久能取"],
            "普通镜片当天可取,定制镜片需要7个工作日。"),
]


def _texts(kb, lang):
    from chalicelib.domain.bot.normalize import detect_language
    return [t for e in kb for t in e.phrasings + [e.answer] if detect_language(t) == lang]


def test_the_dictionary_knows_words_and_which_are_only_a_questions_frame():
    d = bridge.dictionary()
    assert len(d) > 90000
    assert "physic" in d["物理"] and "tuition" in d["学费"]
    assert d["你们"] == ()                        # "you": no topic, but still a word


def test_readings_use_only_the_kbs_own_words():
    b = Bridge(_texts(BILINGUAL, "zh"), _texts(BILINGUAL, "en"))
    r = b.to_en("你们的店在哪里")
    assert r.text == "shop stor" and r.share == 1.0     # 店: inn, hotel, shop, store
    r = b.to_zh("myopia control lenses for kids")
    assert "近视" in r.text.split() and 0 < r.share < 1
    assert b.to_en("明天天气怎么样").text == ""
    # the same reading whatever order the KB's texts come in (no set-order dependence)
    again = Bridge(list(reversed(_texts(BILINGUAL, "zh"))), _texts(BILINGUAL, "en"))
    assert again.to_zh("do you take credit cards").text == \
        b.to_zh("do you take credit cards").text


def test_a_question_finds_the_entry_written_in_the_other_language():
    m = Matcher(BILINGUAL)
    assert m._bridge is None               # not built with the index: when a question needs it
    r = m.match("你们的店在哪里")
    assert m._bridge is not None
    assert r.decision == "answer" and r.best.id == "stores"
    assert m.match("明天天气怎么样").decision == "none"
    assert m.match("what is the weather tomorrow").decision == "none"


def test_a_one_language_kb_reads_nothing_across():
    assert Matcher([e for e in BILINGUAL if e.id in ("stores", "shipping", "returns")]
                   ).bridge is None


def test_a_reading_not_sure_enough_to_answer_still_suggests_its_entries():
    m = Matcher(BILINGUAL)
    r = m.match("视力检查收费吗")            # eye tests: written in English only
    assert r.decision == "suggest" and r.suggestions[0][0].id == "eye-test"
    r = m.match("contact lens brands")       # written in Chinese only: p 0.87 < 0.9
    assert r.decision == "suggest" and r.suggestions[0][0].id == "contacts"
