"""Text normalisation for the bot (pure Python, stdlib only).

``normalize(text)`` applies, in order: NFKC (full-width -> half-width), lowercase,
traditional -> simplified Chinese (OpenCC's character table, t2s.py, and a few pairs of
our own),
punctuation stripping (replaced by spaces) and whitespace collapse.
"""
from __future__ import annotations

import re
import unicodedata

from .t2s import PAIRS as OPENCC_T2S

# Traditional -> simplified pairs, written as "TS" two-character chunks, laid over OpenCC's
# table: the first list was the whole table before it; 劵 -> 券 and 帐 -> 账 are variants
# OpenCC leaves alone.
_T2S_PAIRS = (
    "費费帳账號号檔档設设訂订單单買买賣卖價价錢钱問问題题幫帮務务驗验證证碼码鑰钥"
    "開开關关機机會会員员戶户網网頁页絡络線线電电話话郵邮運运輸输聯联繫系係系"
    "發发票票報报銷销退退換换貨货寄寄遞递態态況况狀状確确認认請请麼么們们這这"
    "裡里裏里個个來来時时間间為为對对從从後后無无沒没還还進进達达過过嗎吗呢呢"
    "說说話话讓让給给與与語语應应該该當当樣样點点麼么兩两萬万億亿錯错誤误"
    "準准備备設设計计劃划擇择選选項项類类別别據据數数據据庫库存存儲储檢检查查"
    "詢询價价優优惠惠折折續续約约費费扣扣款款轉转帳账戶户餘余額额統统計计"
    "權权限限級级團团隊队個个體体職职業业營营銷销區区鄉乡縣县鎮镇門门"
    "產产品品質质量量碼码長长寬宽廣广東东車车飛飞鐵铁紅红綠绿藍蓝黃黄顏颜"
    "現现實实際际體体驗验試试務务節节週周歲岁歡欢迎迎謝谢您您親亲愛爱"
    "讀读寫写傳传載载刪删除除復复恢恢滿满夠够積积壓压縮缩雲云端端碟碟盤盘"
    "檔档夾夹鏈链結结享享權权碼码鎖锁歷历史史舊旧導导匯汇臺台灣湾國国際际"
    "簡简繁繁體体變变動动觸触擊击鍵键盤盘顯显示示標标題题輸输頻频視视聲声音音"
    "圖图畫画廳厅飯饭館馆醫医藥药療疗險险務务專专業业學学習习課课師师術术"
    "辦办處处理理嗎吗啟启閉闭斷断續续極极獲获負负責责雜杂複复條条夠够"
    "筆笔紀纪錄录記记憶忆頭头號号碼码簽签約约議议認认識识誌志並并幹干"
    "雙双層层護护衛卫監监測测視视維维修修壞坏掃扫瞭了紙纸資资訊讯應应"
    "員员歸归屬属權权額额購购買买訂订貨货倉仓儲储裝装備备濟济幣币匯汇"
    "張张專专門门櫃柜臉脸點点擊击鬧闹鐘钟錶表週周內内稅税務务貸贷銀银"
    "卡卡戶户餘余賬账單单據据賠赔償偿質质檢检問问題题講讲聽听說说覺觉"
    "愛爱惡恶難难為为麗丽風风陽阳陰阴雲云飄飘氣气溫温濕湿熱热涼凉"
    "剛刚邊边遠远近近將将給给讓让誰谁們们啟启產产腦脑軟软硬硬體体"
    "績绩較较級级組组織织總总結结構构樓楼場场屆届幾几無无見见觀观"
    "隨随選选擇择訊讯號号碼码頻频寬宽帶带網网絡络連连線线閘闸縮缩"
    "閱阅離离輕轻鬆松嚴严範范圍围協协義义蘋苹適适遲迟鏡镜絕绝趕赶預预廠厂"
    "綁绑擔担補补繳缴貼贴領领獎奖戲戏試试費费頓顿鐘钟號号權权龍龙麥麦齊齐"
)
# more pairs for general customer-service vocabulary (shops, delivery, banking, telecom,
# education, food; e.g. 損壞, 贈品, 禮品卡, 優惠劵, 註冊, 凍結, 詐騙, 攜號轉網, 閃退)
_T2S_EXTRA = (
    "損损寶宝稱称須须緊紧蹤踪跡迹響响纜缆贈赠禮礼劵券減减兌兑凍冻註注冊册書书騎骑揀拣憑凭塊块貴贵讚赞評评論论訴诉遊游攜携撥拨擾扰騷骚詐诈騙骗盜盗竊窃掛挂遺遗丟丢暱昵隱隐異异陸陆漲涨勵励傭佣殺杀搶抢罰罚滯滞違违飲饮麵面雞鸡魚鱼蝦虾湯汤餅饼燈灯輛辆駕驾韻韵順顺圓圆閃闪潰溃瀏浏覽览鈕钮綫线談谈討讨賺赚齡龄髮发隻只許许"
)
_T2S_PAIRS = _T2S_PAIRS + _T2S_EXTRA
# OpenCC's whole character table first (t2s.py), then these pairs over it
T2S: dict[str, str] = dict(OPENCC_T2S)
T2S.update({
    _T2S_PAIRS[i]: _T2S_PAIRS[i + 1]
    for i in range(0, len(_T2S_PAIRS) - 1, 2)
    if _T2S_PAIRS[i] != _T2S_PAIRS[i + 1]
})
# variant characters used interchangeably in simplified text: 帐号/账号, 帐户/账户
T2S.update({"帐": "账"})

_T2S_TRANS = str.maketrans(T2S)
_WS = re.compile(r"\s+")


def to_simplified(text: str) -> str:
    """Map traditional characters in the table to simplified ones."""
    return text.translate(_T2S_TRANS)


def _strip_punct(text: str) -> str:
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat[0] in ("P", "S") and ch not in "+@#":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def normalize(text: str, keep_punct: bool = False) -> str:
    """Normalise user or KB text for matching.

    >>> normalize("ＨＯＷ  much？ 費用")
    'how much 费用'
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = text.lower()
    text = to_simplified(text)
    if not keep_punct:
        text = _strip_punct(text)
    return _WS.sub(" ", text).strip()


def is_cjk(ch: str) -> bool:
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF


def detect_language(text: str, default: str = "en") -> str:
    """'zh' if the text contains CJK ideographs (at least ~ as many as latin words)."""
    if not text:
        return default
    cjk = sum(1 for ch in text if is_cjk(ch))
    if cjk == 0:
        latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
        return "en" if latin else default
    words = len(re.findall(r"[a-zA-Z]{2,}", text))
    return "zh" if cjk >= words else "en"
