"""Built-in customer-service vocabulary: synonym groups and stop words.

Two parts. ``GENERAL_SYNONYM_GROUPS`` (the larger part) is a general customer-service
lexicon written from domain knowledge (e-commerce, delivery, after-sales, payments, telecom,
online services, education, food delivery, simple banking), without looking at any
evaluation data. The first groups are older.

Honesty note: parts of the older groups were written while looking at the sample questions
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
    ["价格", "价钱", "收费", "费用", "多少钱", "定价", "资费", "报价", "贵不贵", "几块钱", "多少", "太贵", "好贵",
     "贵吗", "贵了", "便宜吗", "价位", "售价", "标价", "收多少", "怎么收费", "how much is", "how much does",
     "price", "prices", "pricing", "cost", "costs", "how much", "fee", "fees", "rate", "rates", "expensive",
     "cheap", "price list", "what does it cost",
     # delivery fees are prices too (also in the delivery group below)
     "运费", "邮费", "快递费", "配送费", "送货费", "外送费", "postage"],
    ["扣费", "扣款", "扣钱", "自动扣款", "自动扣费", "计费", "付费", "付款", "支付", "账单", "收钱",
     "billing", "bill", "billed", "charge", "charged", "charging", "payment", "pay", "paying"],
    ["发票", "报销", "收据", "凭证", "开票", "电子发票", "票据", "小票", "fapiao", "tax invoice",
     "vat invoice", "billing receipt", "invoice", "invoices", "receipt", "receipts"],
    ["优惠", "折扣", "打折", "便宜", "八折", "九折", "优惠券", "discount", "discounts",
     "coupon", "promo", "promotion", "cheaper", "save money"],
    ["年付", "按年", "包年", "年费", "每年", "一年", "yearly", "annual", "annually", "per year", "a year"],
    ["每月", "一个月", "月付", "包月", "月费", "monthly", "per month", "a month", "each month"],
    ["银行卡", "信用卡", "绑卡", "绑定银行卡", "借记卡", "credit card", "card", "debit card", "bank card"],
    # subscription lifecycle
    ["取消", "关闭", "关掉", "停止", "不想", "终止", "退订", "停掉", "不再", "停用", "撤销订单", "不要了",
     "cancel", "cancelled", "cancelling", "canceled", "cancellation", "stop", "terminate", "unsubscribe",
     "turn off", "switch off", "end subscription", "end plan", "end membership", "opt out"],
    ["续费", "续订", "自动续费", "自动续订", "自动扣款", "续期",
     "renew", "renewal", "auto renew", "autorenew", "recurring"],
    ["订阅", "套餐", "会员", "方案", "会籍", "vip", "subscription", "subscriptions", "plan", "plans", "membership",
     "tier", "package plan"],
    ["升级", "换成", "换到", "扩容", "upgrade", "upgrading", "switch to", "move up"],
    ["试用", "试试", "试一试", "体验", "试用期", "试一下", "trial", "try", "try out", "demo", "test",
     "test drive", "free trial period"],
    ["免费", "不要钱", "白送", "包邮", "免运费", "免邮", "free", "no cost", "for free", "free of charge",
     "complimentary", "at no charge"],
    ["购买", "买", "订购", "下单", "拍下", "选购", "buy", "bought", "buying", "purchase", "place order"],
    # account
    ["登录", "登陆", "登入", "登不上", "登不进", "登录不了", "login", "log in", "logon", "log on", "sign in", "signin",
     "log into", "sign into", "logging in"],
    ["注册", "开户", "新建账号", "创建账号", "sign up", "signup", "register", "registration", "create account",
     "open account", "make account"],
    ["密码", "口令", "password", "passcode", "passwords"],
    ["账号", "账户", "用户名", "帐户", "account", "username", "user name"],
    ["两步验证", "双重认证", "双因素", "二次验证", "双重验证", "两步认证", "验证码", "二步验证",
     "双因素认证", "二次认证", "多因素认证", "2fa", "two factor", "two step", "mfa", "multi factor", "verification code", "one time code",
     "authenticator", "two factor authentication", "短信验证码", "校验码", "动态码", "动态密码", "otp",
     "one time password", "security code", "sms code", "confirmation code"],
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
    ["失败", "出错", "错误", "报错", "不了", "传不上", "异常", "故障", "坏了", "不能用", "用不了", "无法", "不好用",
     "没反应", "打不开", "无法打开", "不工作", "失灵", "出问题", "有问题", "出毛病", "fail", "fails", "failed",
     "failure", "error", "errors", "broken", "not working", "does not work", "doesn't work", "stopped working",
     "won't work", "isn't working", "not work", "unable", "cannot", "can't", "couldn't", "malfunction",
     "malfunctioning", "won't open", "can't open", "not loading", "won't load", "declined", "glitch", "bug"],
    ["删除", "删了", "误删", "删掉", "删", "delete", "deleted", "remove", "removed", "erase"],
    ["恢复", "找回", "还原", "撤销", "回滚", "restore", "recover", "recovery", "undo", "revert",
     "get back", "roll back", "rollback", "bring back", "go back"],
    ["版本", "历史版本", "旧版本", "以前的版本", "version", "versions", "older version",
     "previous version", "old version", "earlier version", "history"],
    ["导出", "下载", "备份", "export", "download", "backup", "back up", "copy of", "take out"],
    ["离线", "断网", "没网", "无网络", "没有网络", "offline", "without internet", "no internet",
     "without wifi", "no wifi", "without connection", "no connection"],
    ["网络", "网速", "网路", "wifi", "wi fi", "internet", "network", "connection", "无线网"],
    ["上限", "限制", "最大", "多大", "limit", "limits", "maximum", "max", "how big", "how large",
     "size limit"],
    ["多久", "多长时间", "几天", "多少天", "多长", "时长", "期限", "how long", "how many days", "how soon",
     # "when" questions are asked the same way as "how long" ones (什么时候发货 / 多久发货)
     "什么时候", "啥时候", "何时", "哪天", "时效", "when will", "when would", "when can i expect", "eta",
     "transit time", "发货时间", "到货时间", "配送时间", "送达时间", "shipping time", "delivery time",
     "length", "duration"],
    ["保留", "保存", "留存", "retain", "retention", "keep", "kept"],
    ["链接", "link", "links", "url"],
    ["客户端", "桌面端", "应用程式", "软件", "软体", "app", "apps", "desktop app", "client app",
     "application", "software", "mobile app"],
    ["手机", "移动端", "phone", "mobile", "iphone", "android"],
    ["忘记", "忘了", "想不起来", "记不住", "forgot", "forget", "forgotten", "can't remember",
     "cannot remember", "don't remember"],
    ["联系", "联络", "联系方式", "联系你们", "contact", "reach", "get in touch", "contact details",
     "contact info", "contact information", "reach out"],
    ["邮箱", "电子邮件", "邮件", "电邮", "信箱", "电子信箱", "email", "e mail", "mail", "emails", "inbox"],
]

# ---------------------------------------------------------------------------------------
# General customer-service vocabulary (e-commerce, delivery, telecom, online services,
# education, food delivery, simple banking), written from domain knowledge: how customers
# of any shop / service commonly phrase things, in zh (incl. Taiwan/HK usage) and en
# (incl. colloquial verbs, UK/US spellings, irregular forms the light stemmer misses).
# Rules followed: a group holds words customers use for the SAME thing; things customers
# distinguish stay apart (return vs refund vs exchange, cancel vs delete account, damaged
# in transit vs defective, late vs missing). Compound ideas are left to composition: a
# phrase may sit in two groups (运费 = delivery + price, 包邮 = free + delivery), so
# "how much is shipping", "shipping cost" and "运费多少" get the same concepts.
# No phrase starts with how / 多少 / 多久 / 几 except in question-type groups.
GENERAL_SYNONYM_GROUPS: list[list[str]] = [
    # ---- question types / time -------------------------------------------------------
    ["几个", "多少个", "数量", "how many", "quantity", "number of"],
    ["工作日", "个工作日", "business day", "business days", "working day", "working days", "weekday",
     "weekdays"],
    ["周末", "星期六", "星期日", "星期天", "周六", "周日", "weekend", "weekends", "saturday", "sunday"],
    ["节假日", "节日", "假期", "法定假日", "春节", "国庆", "holiday", "holidays", "public holiday",
     "bank holiday", "christmas"],
    ["营业时间", "工作时间", "上班时间", "服务时间", "客服时间", "开门时间", "营业", "开门", "关门",
     "opening hours", "business hours", "open hours", "office hours", "working hours", "hours of operation",
     "opening times", "closing time", "are you open", "open today"],
    ["全天候", "全天", "二十四小时", "around clock", "round clock", "24 7"],
    # ---- contact / service -----------------------------------------------------------
    ["客服", "人工客服", "在线客服", "客户服务", "客服中心", "customer service", "customer support",
     "support team", "help desk", "helpdesk", "customer care", "tech support", "technical support"],
    ["客服电话", "服务热线", "热线", "客服热线", "客服专线", "电话客服", "hotline", "helpline",
     "support number", "customer service number", "phone support", "call you", "call us",
     "phone number for support"],
    ["投诉", "客诉", "complain", "complaint", "complaints", "file complaint"],
    ["举报", "report abuse", "report user", "report seller"],
    ["申诉", "appeal", "appeals", "dispute", "disputes"],
    ["反馈", "建议", "意见", "feedback", "suggestion", "suggestions"],
    ["评价", "评论", "好评", "差评", "晒单", "review", "reviews", "rating", "ratings"],
    ["赔偿", "补偿", "赔付", "理赔", "赔钱", "compensation", "compensate", "insurance claim"],
    ["道歉", "apology", "apologize", "apologise"],
    # ---- account ----------------------------------------------------------------------
    ["退出登录", "登出", "注销登录", "退出账号", "log out", "logout", "sign out", "signout", "logging out"],
    ["注销", "注销账号", "注销账户", "销户", "删除账号", "删除账户", "关闭账号", "关闭账户", "永久删除账号",
     "delete account", "close account", "cancel account", "deactivate account", "remove account",
     "terminate account", "account deletion", "erase account"],
    ["重置", "重设", "重新设置", "reset", "resetting"],
    ["手机号", "手机号码", "电话号码", "号码", "phone number", "mobile number", "cell number",
     "telephone number", "cellphone number"],
    ["绑定", "关联账号", "bind", "binding", "link account", "connect account", "linked account"],
    ["解绑", "解除绑定", "取消绑定", "unbind", "unlink", "disconnect account"],
    ["个人信息", "个人资料", "账户资料", "账号信息", "profile", "personal information", "personal info",
     "personal details", "account details", "account info", "account information"],
    ["昵称", "nickname", "display name", "screen name"],
    ["头像", "avatar", "profile picture", "profile photo", "profile pic"],
    ["隐私", "隐私政策", "个人数据", "privacy", "privacy policy", "personal data", "gdpr"],
    ["被盗", "盗号", "被黑", "异常登录", "被别人登录", "hacked", "compromised", "account stolen",
     "unauthorized access", "unauthorised access", "someone else logged in", "suspicious login"],
    ["冻结", "锁定", "被锁", "封号", "被封", "封禁", "locked", "locked out", "lock out", "frozen", "blocked",
     "banned", "disabled account", "account disabled"],
    ["解冻", "解封", "解锁", "unlock", "unfreeze", "unblock", "reactivate", "unban"],
    ["实名认证", "实名", "身份认证", "身份验证", "identity verification", "verify identity",
     "kyc", "id verification", "identity check"],
    ["身份证", "证件", "护照", "驾照", "驾驶证", "id card", "identity card", "passport", "driver license",
     "driver s license", "driving licence", "photo id", "id document"],
    ["修改", "更改", "更换", "改", "改成", "改为", "变更", "更新", "change", "changing", "modify", "edit", "amend",
     "update", "updating"],
    ["新版本", "最新版", "最新版本", "new version", "latest version", "app version"],
    ["添加", "增加", "新增", "加入", "add", "adding", "added"],
    ["查看", "查询", "查一下", "查下", "check", "view", "look up", "lookup"],
    ["找不到", "找不着", "看不到", "看不见", "不见了", "can't find", "cannot find", "couldn't find",
     "unable to find", "can't see", "cannot see", "disappeared"],
    ["设置", "设定", "配置", "settings", "setting", "configure", "configuration", "preferences", "set up",
     "setup"],
    ["开启", "开通", "启用", "激活", "enable", "enabled", "turn on", "switch on", "activate", "activation",
     "activated"],
    ["安装", "重装", "重新安装", "下载安装", "install", "installation", "installing", "reinstall"],
    ["通知", "提醒", "推送", "消息推送", "notification", "notifications", "alert", "alerts", "reminder",
     "reminders", "push notification"],
    ["语言", "中文", "英文", "简体", "繁体", "language", "languages", "chinese", "english", "translation"],
    ["浏览器", "网页版", "电脑版", "browser", "web version", "web app", "website", "chrome", "safari",
     "firefox"],
    ["应用商店", "应用市场", "app store", "google play", "play store"],
    ["闪退", "崩溃", "死机", "卡死", "白屏", "crash", "crashes", "crashed", "crashing", "freeze", "freezes",
     "keeps closing"],
    ["速度", "很慢", "太慢", "好慢", "变慢", "卡顿", "网速", "slow", "slowly", "slowness", "speed", "lag",
     "laggy", "lagging", "sluggish"],
    ["服务中断", "网络故障", "宕机", "停服", "无法访问", "outage", "outages", "service down", "downtime",
     "service outage", "site down"],
    ["视频", "影片", "video", "videos"],
    ["图片", "照片", "图像", "截图", "photo", "photos", "picture", "pictures", "image", "images",
     "screenshot", "screenshots"],
    ["接口", "开放接口", "集成", "对接", "api", "apis", "integration", "integrations", "integrate", "webhook",
     "webhooks", "sdk"],
    # ---- payment / billing -----------------------------------------------------------
    ["方式", "方法", "办法", "途径", "method", "methods", "ways to"],
    ["支付宝", "alipay"],
    ["微信", "wechat", "weixin"],
    ["贝宝", "paypal"],
    ["苹果支付", "apple pay"],
    ["银联", "云闪付", "unionpay", "union pay"],
    ["货到付款", "到付", "cash on delivery", "cod", "pay on delivery"],
    ["分期", "分期付款", "花呗", "白条", "installment", "installments", "instalment", "instalments",
     "pay later", "buy now pay later", "klarna", "afterpay"],
    ["重复扣款", "重复扣费", "重复支付", "扣了两次", "扣了两遍", "多扣", "多扣钱", "扣错", "double charged",
     "charged twice", "duplicate charge", "double charge", "charged two times", "overcharged",
     "double billed", "billed twice"],
    ["货币", "币种", "人民币", "美元", "欧元", "currency", "currencies", "usd", "eur", "rmb"],
    ["税", "税费", "含税", "增值税", "税率", "tax", "taxes", "vat", "sales tax", "gst", "tax included"],
    ["关税", "进口税", "清关", "海关", "customs", "import duty", "import duties", "import tax", "duties",
     "customs duty", "customs clearance", "customs fees"],
    ["发票抬头", "抬头", "税号", "统编", "纳税人识别号", "tax id", "vat number", "tax number"],
    ["礼品卡", "购物卡", "储值卡", "gift card", "gift cards", "gift voucher", "gift certificate"],
    ["积分", "会员积分", "点数", "points", "reward points", "loyalty points", "rewards", "loyalty program",
     "loyalty programme", "reward program"],
    ["兑换", "redeem", "redeeming", "redemption"],
    ["优惠码", "折扣码", "兑换码", "促销码", "代金券", "折价券", "抵用券", "满减", "红包", "voucher",
     "vouchers", "promo code", "discount code", "coupon code", "promotional code", "on sale", "special offer"],
    ["邀请好友", "推荐好友", "邀请码", "推荐码", "邀请奖励", "referral", "referrals", "refer friend",
     "referral code", "invite code", "invite friends"],
    ["新客户", "新用户", "新人", "首单", "新会员", "new customer", "new customers", "new user", "first order",
     "first purchase", "first time customer"],
    ["降价", "价保", "保价", "价格保护", "差价", "price drop", "price protection", "price match",
     "price adjustment", "price difference"],
    ["充值", "充钱", "储值", "加值", "top up", "topup", "recharge", "add funds", "add money", "reload"],
    ["余额", "账户余额", "剩余金额", "balance", "account balance", "remaining balance", "credit balance"],
    ["提现", "取现", "提款", "取钱", "withdraw", "withdrawal", "withdrawals", "cash out", "take out money"],
    ["转账", "汇款", "打款", "转钱", "transfer money", "money transfer", "wire transfer", "send money", "remit",
     "remittance", "bank transfer", "wire transfer"],
    ["利息", "利率", "年化", "interest rate", "interest rates", "apr", "apy"],
    ["贷款", "借款", "借钱", "loan", "loans", "borrow", "borrowing"],
    ["还款", "还钱", "repay", "repayment", "repayments", "pay back", "pay off"],
    ["逾期", "滞纳金", "逾期还款", "overdue", "late payment", "late fee", "late fees", "past due"],
    ["额度", "信用额度", "提额", "credit limit", "spending limit", "limit increase", "credit line"],
    ["汇率", "换汇", "exchange rate", "exchange rates", "conversion rate", "currency conversion"],
    ["账单明细", "对账单", "流水", "交易记录", "消费记录", "明细", "statement", "statements", "bank statement",
     "transaction history", "transactions", "transaction", "transaction record"],
    ["诈骗", "骗子", "被骗", "欺诈", "盗刷", "fraud", "scam", "scammed", "phishing", "fraudulent",
     "unauthorized charge", "unauthorised charge", "unauthorized transaction"],
    ["挂失", "丢失", "丢了", "遗失", "弄丢", "lost", "lose", "stolen", "misplaced"],
    ["刷卡", "pay by card", "card payment"],
    ["押金", "保证金", "订金", "定金", "deposit", "deposits", "security deposit", "down payment"],
    ["收款", "到账", "入账", "received payment", "payment received", "credited", "cleared"],
    # ---- e-commerce: delivery ---------------------------------------------------------
    ["发货", "寄出", "发出", "出库", "配送", "送货", "派送", "派件", "投递", "送达", "到货", "收货", "出货",
     "寄送", "宅配", "发快递", "运送", "运费", "邮费", "快递费", "配送费", "送货费", "外送费", "包邮", "免运费",
     "免邮", "ship", "shipping", "shipped", "shipment", "shipments", "dispatch", "dispatched", "send out",
     "sent out", "deliver", "delivery", "delivered", "deliveries", "arrive", "arrival", "postage",
     "发货时间", "到货时间", "配送时间", "送达时间", "shipping time", "delivery time"],
    # (运费 / 邮费 / 快递费 / 配送费 / postage are also prices; 包邮 / 免运费 also "free": see below)
    ["运费险", "退货险", "shipping insurance", "return shipping insurance", "package protection"],
    ["物流", "查物流", "物流信息", "查快递", "快递到哪了", "到哪了", "到哪里了", "到哪儿了", "快递单号", "运单号",
     "物流单号", "追踪", "跟踪", "查询物流", "track", "tracking", "tracking number", "tracking code",
     "tracking info", "waybill", "where is order", "where s order", "where is package", "where s package",
     "where is parcel", "where is delivery", "where is shipment", "where s stuff"],
    ["快递公司", "物流公司", "哪家快递", "什么快递", "顺丰", "中通", "圆通", "韵达", "申通", "京东物流", "邮政",
     "ems", "courier", "carrier", "couriers", "fedex", "ups", "dhl", "usps", "royal mail"],
    ["快递", "包裹", "快件", "邮包", "parcel", "parcels", "package", "packages"],
    ["快递员", "配送员", "骑手", "外卖员", "送餐员", "外卖小哥", "司机", "driver", "rider", "delivery man",
     "delivery person", "delivery guy", "delivery driver", "postman", "mailman"],
    ["次日达", "当日达", "当天到", "隔日达", "极速达", "加急配送", "快速配送", "next day", "same day",
     "overnight", "express shipping", "express delivery", "expedited shipping", "fast shipping",
     "fast delivery", "express"],
    ["加急", "加快", "催单", "催发货", "催一下", "尽快", "急用", "expedite", "expedited", "rush", "urgent",
     "asap", "hurry", "speed up"],
    ["迟到", "超时", "延迟", "延误", "晚到", "迟迟", "还没到", "没到", "一直没到", "怎么还没到", "等了好久",
     "late", "delayed", "delay", "delays", "not arrived", "hasn't arrived", "has not arrived",
     "never arrived", "still waiting", "taking too long", "not here yet", "running late"],
    ["没收到", "收不到", "还没收到", "没有收到", "未收到", "not received", "didn't receive",
     "did not receive", "haven't received", "have not received", "never received", "didn't get",
     "never got", "haven't got", "not receiving"],
    ["少了", "少发", "漏发", "缺件", "少件", "少一件", "少东西", "没发全", "配件缺失", "missing",
     "missing item", "missing items", "item missing", "incomplete order", "not all items", "missing parts",
     "short shipped"],
    ["丢件", "快递丢了", "包裹丢了", "丢包", "lost package", "lost parcel", "package lost", "parcel lost",
     "lost in transit", "lost in mail"],
    ["发错", "发错货", "发错了", "错发", "寄错", "送错", "wrong item", "wrong items", "wrong product",
     "incorrect item", "wrong order", "sent wrong", "wrong thing", "not what i ordered"],
    ["破损", "损坏", "摔坏", "压坏", "碎了", "压扁", "破了", "有破损", "外包装破", "damaged", "damage",
     "arrived broken", "broken on arrival", "crushed", "smashed", "cracked", "dented", "torn",
     "shattered"],
    ["质量问题", "质量差", "次品", "瑕疵", "残次", "有缺陷", "defective", "defect", "defects", "faulty",
     "poor quality", "bad quality", "quality issue", "quality problem", "flawed"],
    ["签收", "代收", "代签", "sign for", "signature", "signed for"],
    ["自提", "到店自提", "门店自提", "自取", "超商取货", "取货", "pick up", "pickup", "collect in store",
     "click and collect", "collection point", "in store pickup"],
    ["地址", "收货地址", "送货地址", "收件地址", "address", "addresses", "shipping address",
     "delivery address", "mailing address"],
    ["邮编", "邮政编码", "zip code", "zipcode", "zip", "postcode", "postal code"],
    ["国际", "海外", "国外", "境外", "跨境", "出国", "international", "overseas", "abroad", "worldwide",
     "other countries", "foreign", "outside country"],
    ["地区", "国家", "区域", "范围", "城市", "region", "regions", "country", "countries", "area", "areas",
     "city", "cities"],
    ["门店", "实体店", "线下店", "门市", "专卖店", "店铺地址", "physical store", "retail store",
     "store location", "store locations", "branch", "branches", "outlet", "showroom", "shop near"],
    # ---- e-commerce: orders and after-sales ------------------------------------------
    ["订单", "order", "orders"],
    ["订单号", "订单编号", "单号", "order number", "order id", "order no", "order code", "order reference"],
    ["订单记录", "历史订单", "购买记录", "我的订单", "order history", "purchase history", "past orders",
     "previous orders"],
    ["状态", "进度", "进展", "status", "progress"],
    ["购物车", "cart", "basket", "shopping cart", "shopping bag"],
    ["结算", "结账", "买单", "checkout", "check out"],
    ["退货", "退回", "寄回", "退掉", "退还商品", "无理由退货", "七天无理由", "退换", "退换货", "return",
     "returns", "returned", "returning", "send back", "sent back", "ship back", "take back", "return item",
     "bring back item"],
    ["退款", "退钱", "退费", "退还", "返还", "钱退", "refund", "refunds", "refunded", "money back", "reimburse",
     "get money back", "repayment of"],
    ["换货", "调换", "换新", "换尺码", "换码", "换颜色", "换一件", "退换", "退换货", "exchange", "exchanges",
     "swap", "replace", "replacement", "replacements", "replaced"],
    ["尺码", "尺寸", "码数", "码子", "大小", "尺码表", "偏大", "偏小", "合身", "换尺码", "换码", "size", "sizes",
     "sizing", "size chart", "size guide", "fit", "fits", "true to size", "runs small", "runs large",
     "run small", "run big"],
    ["颜色", "色差", "颜色不对", "color", "colour", "colors", "colours"],
    ["有货", "缺货", "没货", "库存", "补货", "断货", "售罄", "卖完", "现货", "in stock", "out of stock",
     "sold out", "restock", "restocked", "back in stock", "availability", "inventory"],
    ["预售", "pre order", "preorder", "pre orders", "backorder", "back order", "backordered"],
    ["产品", "商品", "货品", "宝贝", "物品", "product", "products", "item", "items", "goods", "merchandise"],
    ["正品", "真货", "假货", "正版", "盗版", "山寨", "authentic", "genuine", "fake",
     "counterfeit", "knockoff"],
    ["保修", "质保", "保修期", "质保期", "保固", "三包", "延保", "warranty", "warranties", "guarantee",
     "guaranteed", "warranty period"],
    ["维修", "修理", "修好", "返修", "送修", "报修", "repair", "repairs", "repaired", "fix", "fixed",
     "fixing", "mend"],
    ["说明书", "使用说明", "教程", "使用方法", "使用指南", "指南", "manual", "user manual", "instructions",
     "user guide", "guide", "tutorial", "tutorials"],
    ["参数", "规格", "型号", "specs", "specifications", "specification", "model number", "tech specs"],
    ["包装", "礼品包装", "外包装", "packaging", "gift wrap", "gift wrapping", "wrapping", "packing"],
    ["批发", "团购", "大量购买", "企业采购", "批量", "bulk", "wholesale", "bulk order", "volume discount",
     "corporate order", "large order"],
    ["政策", "规定", "规则", "条款", "须知", "policy", "policies", "rules", "terms", "terms and conditions",
     "terms of service", "conditions"],
    ["二手", "翻新", "second hand", "secondhand", "refurbished", "pre owned"],
    # ---- online services / subscriptions ---------------------------------------------
    ["降级", "降低套餐", "downgrade", "downgrading", "downgraded", "cheaper plan", "smaller plan",
     "lower plan"],
    ["暂停", "pause", "paused", "pausing", "on hold", "suspend", "put on hold", "freeze membership"],
    ["权益", "会员权益", "特权", "福利", "benefits", "perks", "privileges", "member benefits"],
    ["过期", "到期", "失效", "期满", "有效期", "有效期限", "expire", "expired", "expires", "expiry",
     "expiration", "expiring", "validity", "valid for", "expiry date", "expiration date"],
    ["席位", "用户数", "成员数", "license", "licenses", "licence", "licences", "seat", "seats",
     "user licenses"],
    ["合约", "合同", "协议", "合约期", "contract", "contracts", "agreement", "commitment", "minimum term"],
    ["违约金", "提前解约", "解约", "解约费", "early termination", "termination fee", "cancellation fee",
     "break contract", "exit fee"],
    ["线上", "在线", "网上", "远程", "online", "virtual", "remote", "remotely"],
    ["线下", "面授", "到店", "in person", "on site", "onsite", "face to face"],
    # ---- telecom ----------------------------------------------------------------------
    ["电话卡", "手机卡", "sim", "sim card", "esim", "e sim"],
    ["流量", "数据流量", "上网流量", "mobile data", "cellular data", "data allowance", "data usage",
     "data plan"],
    ["信号", "信号差", "没信号", "无信号", "signal", "reception", "no signal", "bad signal", "poor signal",
     "no service", "coverage"],
    ["宽带", "光纤", "broadband", "fiber", "fibre", "home internet"],
    ["路由器", "光猫", "调制解调器", "router", "modem"],
    ["漫游", "国际漫游", "roaming", "international roaming", "data roaming"],
    ["通话", "打电话", "通话时长", "语音通话", "phone calls", "voice calls", "calling minutes", "talk time",
     "call minutes"],
    ["短信", "简讯", "sms", "text message", "text messages", "texting"],
    ["携号转网", "转网", "号码转移", "port number", "number porting", "port in", "keep number",
     "transfer number"],
    ["话费", "phone bill", "airtime", "phone credit", "mobile bill"],
    ["语音信箱", "voicemail", "voice mail"],
    # ---- education --------------------------------------------------------------------
    ["课程", "课", "网课", "课堂", "course", "courses", "class", "classes", "lesson", "lessons"],
    ["报名", "选课", "入学", "enroll", "enrol", "enrolled", "enrollment", "enrolment"],
    ["学费", "课时费", "tuition", "tuition fee", "tuition fees", "course fee", "course fees"],
    ["老师", "教师", "讲师", "导师", "teacher", "teachers", "instructor", "instructors", "tutor", "tutors",
     "lecturer"],
    ["课表", "课程表", "时间表", "上课时间", "schedule", "timetable", "class schedule", "class times"],
    ["考试", "测验", "exam", "exams", "examination", "quiz", "quizzes"],
    ["成绩", "分数", "考试成绩", "grade", "grades", "score", "scores", "results", "marks"],
    ["证书", "结业证书", "毕业证", "certificate", "certificates", "certification", "diploma"],
    ["回放", "录播", "重播", "replay", "playback", "watch again", "recorded class", "recorded lesson"],
    ["直播", "直播课", "live class", "live stream", "livestream", "live session", "webinar", "webinars"],
    ["教材", "课本", "讲义", "学习资料", "textbook", "textbooks", "course materials", "materials",
     "handouts"],
    ["请假", "缺课", "补课", "miss class", "missed class", "make up class", "makeup class", "absent",
     "absence"],
    ["水平", "等级", "级别", "level", "levels", "placement test"],
    ["学生", "学员", "student", "students", "learner", "learners", "pupil"],
    ["家长", "父母", "孩子", "小孩", "parent", "parents", "child", "children", "kid", "kids"],
    # ---- food delivery / restaurants / bookings --------------------------------------
    ["菜单", "菜品", "菜式", "menu", "menus", "dishes", "dish"],
    ["外卖", "送餐", "叫外卖", "点外卖", "takeaway", "takeout", "food delivery"],
    ["堂食", "店内用餐", "dine in", "eat in", "dining in"],
    ["起送", "起送价", "最低消费", "低消", "minimum order", "minimum spend", "minimum purchase",
     "order minimum"],
    ["过敏", "过敏原", "忌口", "allergy", "allergies", "allergen", "allergens", "allergic"],
    ["素食", "吃素", "纯素", "vegetarian", "vegan", "meatless", "plant based"],
    ["清真", "halal"],
    ["辣", "辣度", "不辣", "微辣", "spicy", "spiciness", "spice level"],
    ["洒了", "漏了", "撒了", "spilled", "spilt", "leaked", "leaking"],
    ["凉了", "冷了", "不热", "cold food", "arrived cold", "was cold"],
    ["小费", "打赏", "tipping", "gratuity", "tip driver", "tip rider"],
    ["预约", "预订", "预定", "订座", "订位", "booking", "book", "bookings", "reservation", "reservations",
     "reserve", "appointment", "appointments"],
    ["改期", "重新预约", "reschedule", "rescheduling", "rebook", "change appointment", "change booking"],
    ["停车", "停车场", "车位", "parking", "car park", "parking lot"],
    # ---- generic people / company ---------------------------------------------------
    ["招聘", "工作机会", "加入我们", "careers", "career", "jobs", "hiring", "job openings", "vacancies"],
    ["合作", "商务合作", "加盟", "代理商", "经销商", "partnership", "partner", "partners", "affiliate",
     "reseller", "franchise", "distributor"],
]

DEFAULT_SYNONYM_GROUPS += GENERAL_SYNONYM_GROUPS


def _with_more(groups: list[list[str]]) -> list[list[str]]:
    """The groups plus lexicon_more.py: its phrases added to the existing group each
    addition names (by one of its phrases), then its new groups."""
    from .lexicon_more import MORE_ADDITIONS, MORE_SYNONYM_GROUPS
    out = [list(g) for g in groups]
    for key, extra in MORE_ADDITIONS.items():
        home = next(g for g in out if key in g)
        home += [p for p in extra if p not in home]
    return out + [list(g) for g in MORE_SYNONYM_GROUPS]


DEFAULT_SYNONYM_GROUPS = _with_more(DEFAULT_SYNONYM_GROUPS)

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
