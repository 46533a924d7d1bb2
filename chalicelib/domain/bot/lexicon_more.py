"""More built-in customer-service vocabulary: synonym groups for support desks of many
industries (insurance, banking / fintech, SaaS / bookkeeping, utilities, property management
and rentals, travel and hotels, ticketing / events, libraries / education, healthcare
appointments, photography / weddings, moving & storage, web hosting / domains, EV charging,
subscriptions / coffee / food, retail / furniture).

Written from general domain knowledge only, without looking at any evaluation or training
questions. Same format and rules as ``lexicon.py``:

* a group is a *concept*: every phrase of it is replaced by one concept token when indexing
  and when matching, so a group only holds phrases a support agent treats as the same
  request (cancel vs delete, refund vs payment, return vs refund stay apart);
* English phrases are lowercase and are matched on lightly stemmed tokens (``stem``), so
  "statement" / "statements" are the same phrase and need not both be listed; no phrase
  contains an article or possessive (a, an, the, my, your, ...): those are dropped from
  queries before matching, so such a phrase could never match;
* Chinese phrases are matched greedily, longest first, before the stop words are removed;
  no single-character Chinese phrase (块, 元, 票, 药 ... would fire inside unrelated words:
  单元, 元旦, 一块) and no mixed Chinese/Latin phrase (the analyzer splits them into runs);
* no phrase starts with how / 多少 / 多久 / 几 except in question-type groups;
* no phrase here is also in ``lexicon.py`` or in another group of this file (so the
  concepts stay disjoint); where an existing group is the right home for a phrase, it is
  listed in ``MORE_ADDITIONS`` under a phrase that identifies that group.

Many typos are already fixed by the analyzer (edit distance 1, 2 for long words, same first
letter for short ones); the typos / chat abbreviations listed here are mostly ones it
would miss (acct, pwd, cxl, appt, txn, cant, didnt ...).
"""
from __future__ import annotations

MORE_SYNONYM_GROUPS: list[list[str]] = [
    # ---- people / roles ---------------------------------------------------------------
    ["会计", "会计师", "注册会计师", "记账员", "财务人员", "accountant", "bookkeeper", "cpa",
     "chartered accountant", "tax accountant", "tax preparer"],
    ["房东", "出租人", "landlord", "landlady", "lessor"],
    ["物业", "物业公司", "物业管理", "物业经理", "物业管家", "property manager", "property management",
     "managing agent", "building manager", "building management"],
    ["租客", "租户", "房客", "承租人", "tenant", "renter", "lessee"],
    ["经纪人", "中介", "房产中介", "中介公司", "broker", "brokerage", "insurance broker", "estate agent",
     "real estate agent", "realtor", "letting agent", "insurance agent"],
    ["转人工", "人工", "真人", "人工服务", "human", "real person", "live person", "live agent",
     "human agent", "representative", "speak to someone", "talk to someone"],
    ["经理", "主管", "负责人", "上级", "manager", "supervisor", "escalate", "escalation", "mgr",
     "someone senior"],
    ["员工", "店员", "工作人员", "职员", "staff", "employee", "staff member", "personnel"],
    ["维修工", "维修人员", "维修师傅", "技术员", "technician", "engineer", "handyman", "plumber",
     "electrician", "repairman"],
    ["保险公司", "承保人", "承保公司", "insurer", "insurance company", "insurance provider",
     "underwriter"],
    ["户主", "账户持有人", "持卡人", "account holder", "cardholder", "card holder", "account owner",
     "primary account holder"],
    ["供应商", "商家", "卖家", "vendor", "supplier", "merchant", "seller"],
    ["医生", "大夫", "医师", "全科医生", "doctor", "gp", "physician", "family doctor"],
    ["摄影师", "摄像师", "photographer", "videographer", "cameraman"],
    ["乘客", "旅客", "乘车人", "乘机人", "passenger", "traveler", "traveller"],

    # ---- documents / records / identifiers -----------------------------------------------
    ["利润表", "损益表", "盈亏表", "profit and loss", "profit loss", "p&l", "pnl", "income statement"],
    ["资产负债表", "balance sheet"],
    ["财务报表", "报表", "财报", "financial report", "financial statement", "year end accounts",
     "annual accounts"],
    ["报税", "纳税申报", "税务申报", "个税申报", "tax return", "tax filing", "file taxes",
     "tax declaration", "vat return", "self assessment"],
    ["工资", "薪资", "工资单", "薪酬", "发工资", "payroll", "payslip", "pay slip", "salary", "wages",
     "paycheck", "pay stub"],
    ["扫描", "扫描件", "复印件", "影印本", "scan", "scanner", "photocopy"],
    ["附件", "附上", "attachment", "attach"],
    ["证明", "证明文件", "证明材料", "proof", "evidence", "supporting documents"],
    ["表单", "申请表", "填表", "form", "application form", "fill in", "fill out"],
    ["保单", "保险单", "保单号", "insurance policy", "policy number", "policy document", "policy details"],
    ["检查结果", "化验结果", "化验单", "检验报告", "体检报告", "test results", "lab results", "lab report"],
    ["处方", "药方", "开药", "prescription", "repeat prescription"],
    ["确认邮件", "确认函", "确认信", "确认单", "confirmation", "confirm"],
    ["激活邮件", "验证邮件", "激活链接", "验证链接", "verification email", "activation email",
     "verification link", "activation link", "confirmation link", "verify email"],
    ["预订号", "预约号", "确认号", "booking reference", "booking number", "confirmation number",
     "reservation number", "booking code", "pnr", "reference number", "booking ref", "ref number", "ref"],
    ["工单", "工单号", "support ticket", "ticket number", "case number", "case id", "ticket id",
     "request number"],
    ["客户编号", "客户号", "会员号", "会员编号", "用户编号", "customer number", "customer id",
     "account number", "member number", "membership number", "customer reference"],
    ["会员卡", "会员证", "借书证", "读者证", "图书证", "membership card", "member card", "library card"],
    ["姓名", "名字", "全名", "name", "full name", "legal name", "first name", "last name", "surname"],
    ["出生日期", "生日", "date of birth", "dob", "birthday", "birth date"],
    ["信息", "资讯", "详情", "info", "information", "details"],

    # ---- money / amounts / banking --------------------------------------------------------
    ["金额", "数额", "总额", "总金额", "合计", "amount", "total", "subtotal", "sum", "amt"],
    ["资金", "款项", "钱款", "money", "funds"],
    ["现金", "付现", "现金支付", "cash", "cash payment", "pay cash", "pay in cash"],
    ["返现", "返利", "cashback", "cash back", "rebate"],
    ["手续费", "服务费", "处理费", "service fee", "processing fee", "handling fee", "admin fee",
     "administration fee", "booking fee", "transaction fee", "convenience fee", "surcharge",
     "service charge", "restocking fee"],
    ["欠费", "欠款", "拖欠", "arrears", "debt", "owe", "owed", "outstanding balance", "amount owed",
     "amount due"],
    ["经济困难", "困难补助", "hardship", "financial hardship", "financial difficulty", "can't afford",
     "cannot afford", "struggling to pay"],
    ["透支", "overdraft", "overdrawn", "negative balance"],
    ["余额不足", "资金不足", "insufficient funds", "not enough money", "not enough balance",
     "low balance"],
    ["房贷", "按揭", "mortgage", "home loan", "remortgage"],
    ["信用分", "征信", "信用报告", "信用记录", "credit score", "credit report", "credit check",
     "credit history", "credit rating"],
    ["银行", "bank"],
    ["银行账户", "银行账号", "收款账户", "开户行", "bank account", "bank details",
     "iban", "swift", "swift code", "bic", "sort code", "routing number"],
    ["直接扣款", "代扣", "银行代扣", "自动转账", "direct debit", "standing order", "autopay",
     "auto pay", "automatic payment", "auto debit"],
    ["自动取款机", "取款机", "atm", "cash machine", "cashpoint"],
    ["支付密码", "交易密码", "取款密码", "卡密码", "pin", "pin code", "pin number"],
    ["冻结卡片", "锁卡", "冻卡", "freeze card", "lock card", "block card", "card freeze"],
    ["钱包", "电子钱包", "wallet", "e wallet", "ewallet", "digital wallet", "google pay", "samsung pay"],
    ["预付", "预付费", "预存", "prepaid", "prepay", "pay upfront", "upfront", "pay in advance",
     "pay as you go", "payg"],
    ["授权", "授权书", "委托", "委托书", "power of attorney", "authorized user", "authorised user",
     "authorize", "authorise", "authorization", "authorisation", "on behalf of", "third party"],
    ["去世", "过世", "身故", "逝世", "deceased", "passed away", "died", "death", "bereavement", "probate"],
    # request states
    ["审核", "审批", "审核中", "待审核", "approval", "approve", "under review", "being reviewed"],
    ["处理中", "待处理", "进行中", "pending", "processing", "in process", "being processed"],
    ["被拒", "拒绝", "驳回", "未通过", "审核不通过", "rejected", "denied", "refused", "not approved"],

    # ---- insurance ------------------------------------------------------------------------
    ["保险", "险种", "投保", "insurance", "insured", "insurence"],
    ["保费", "保险费", "insurance premium", "premium payment", "monthly premium"],
    ["保障范围", "承保范围", "保障内容", "保什么", "insurance coverage", "cover", "what is covered",
     "level of cover"],
    ["免赔额", "免赔", "自付额", "deductible", "excess", "policy excess", "out of pocket"],
    ["犹豫期", "冷静期", "cooling off", "cooling off period"],

    # ---- utilities (power / gas / water) -------------------------------------------------
    ["电力", "电费", "用电", "供电", "电价", "electricity", "electric", "power supply", "electricty"],
    ["停电", "断电", "power outage", "power cut", "blackout", "no power", "power failure"],
    ["燃气", "天然气", "煤气", "燃气费", "气费", "气价", "gas", "natural gas", "gas supply"],
    ["燃气泄漏", "煤气泄漏", "漏气", "gas leak", "smell gas", "smell of gas"],
    ["水费", "用水", "供水", "自来水", "水价", "water", "water supply", "tap water"],
    ["漏水", "渗水", "水管爆裂", "爆管", "water leak", "burst pipe", "pipe burst", "flood",
     "water damage"],
    ["停水", "断水", "没水", "no water", "water outage", "water off", "water cut"],
    ["暖气", "供暖", "地暖", "heating", "heater", "radiator", "boiler", "no heat"],
    ["抄表", "读数", "电表读数", "水表读数", "meter reading", "submit reading"],
    ["电表", "水表", "燃气表", "气表", "智能电表", "meter", "smart meter", "gas meter", "electric meter",
     "water meter"],
    ["水电费", "水电", "水电煤", "公用事业", "utilities", "utility company", "utility provider"],
    ["换供应商", "更换供应商", "switch supplier", "switch provider", "change supplier", "change provider"],
    ["停机", "断供", "停止供应", "disconnect", "disconnection", "shut off", "shutoff", "cut off"],
    ["过户", "转户", "更名过户", "transfer ownership", "change of ownership", "change owner",
     "change account holder", "transfer account"],

    # ---- property management / housing / rentals ------------------------------------------
    ["房租", "租金", "月租", "rent", "rent payment", "rental payment"],
    ["租赁", "租用", "出租", "租车", "rental", "car hire", "car rental"],
    ["租约", "租赁合同", "租房合同", "lease", "tenancy", "tenancy agreement", "rental agreement",
     "lease agreement"],
    ["搬入", "搬进", "入伙", "move in"],
    ["搬出", "搬走", "退租", "move out", "vacate", "break lease", "end of tenancy"],
    ["看房", "带看", "约看房", "property viewing", "house viewing", "apartment viewing",
     "arrange viewing", "open house"],
    ["物业费", "管理费", "hoa", "hoa fees", "strata fees", "condo fees", "body corporate"],
    ["钥匙", "门禁卡", "门卡", "key", "key fob", "fob", "spare key", "access card"],
    ["密钥", "激活码", "许可证密钥", "license key", "licence key", "product key", "activation key",
     "api key", "serial key"],
    ["宠物", "猫狗", "狗狗", "猫咪", "pet", "dog", "cat", "service animal"],

    # ---- travel: ferries, coaches, trains, flights, hotels ---------------------------------
    ["航班", "机票", "飞机", "flight", "airline", "airplane", "fly"],
    ["渡轮", "轮渡", "船票", "渡船", "ferry", "boat", "sailing", "crossing", "vessel"],
    ["大巴", "巴士", "长途汽车", "长途客车", "汽车票", "coach", "bus", "shuttle", "shuttle bus"],
    ["火车", "高铁", "动车", "火车票", "train ticket", "train station", "by train", "rail", "railway"],
    ["门票", "车票", "票务", "入场券", "购票", "买票", "订票", "ticket", "e ticket", "eticket"],
    ["登机牌", "登机证", "boarding pass", "boarding card"],
    ["行李", "托运", "行李额", "luggage", "baggage", "bags", "suitcase", "checked bag", "carry on",
     "hand luggage", "excess baggage", "cabin bag"],
    ["出发", "出发时间", "发车", "发车时间", "起飞", "起飞时间", "开船", "departure", "depart",
     "departure time"],
    ["误机", "错过航班", "赶不上", "missed flight", "missed ferry", "missed bus", "missed train",
     "missed departure", "missed connection"],
    ["往返", "来回", "round trip", "return ticket", "return journey", "return trip",
     "return flight"],
    ["码头", "港口", "车站", "航站楼", "机场", "terminal", "port", "station", "pier", "airport",
     "bus station", "ferry terminal"],
    ["车辆", "汽车", "私家车", "vehicle", "car", "motorbike", "motorcycle"],
    ["无障碍", "轮椅", "残障", "wheelchair", "accessible", "accessibility", "disabled access",
     "reduced mobility", "special assistance"],
    ["天气", "恶劣天气", "台风", "暴雨", "暴雪", "weather", "bad weather", "storm", "typhoon", "snow"],
    ["酒店", "宾馆", "旅馆", "民宿", "hotel", "accommodation", "lodging", "motel", "hostel",
     "accomodation"],
    ["入住", "办理入住", "值机", "网上值机", "check in", "checkin", "online check in", "check in time"],
    ["退房", "退房时间", "late checkout", "late check out", "check out time", "checkout time"],

    # ---- ticketing / events ---------------------------------------------------------------
    ["演出", "演唱会", "音乐会", "比赛", "event", "concert", "gig", "festival"],
    ["入场", "进场", "检票", "admission", "entry", "entrance"],
    ["转让", "转票", "转售", "resell", "resale", "transfer ticket", "sell ticket"],
    ["二维码", "扫码", "扫一扫", "条形码", "qr", "qr code", "qrcode", "scan qr code", "barcode"],
    ["座位", "座位号", "选座", "seat selection", "choose seat", "pick seat", "seat number", "seat map",
     "seating plan"],

    # ---- libraries / education --------------------------------------------------------------
    ["图书", "书籍", "书本", "电子书", "ebook", "e book", "audiobook"],
    ["借书", "借阅", "library loan", "borrow book", "check out book"],
    ["退课", "弃课", "drop course", "drop class", "withdraw from course", "drop out"],

    # ---- healthcare appointments -----------------------------------------------------------
    ["诊所", "医院", "门诊", "clinic", "hospital", "medical centre", "medical center", "health centre"],
    ["药品", "药物", "药剂", "medication", "medicine", "drug"],
    ["医保", "医保卡", "社保卡", "医疗保险", "health insurance", "medical insurance", "medicare",
     "medicaid", "nhs"],
    ["爽约", "no show", "missed appointment", "did not attend", "didn't show up", "didnt show"],
    ["视频问诊", "在线问诊", "远程问诊", "telehealth", "telemedicine", "video consultation",
     "virtual appointment"],
    ["急诊", "急救", "紧急情况", "救护车", "emergency", "urgent care", "ambulance"],

    # ---- photography / weddings --------------------------------------------------------------
    ["拍摄", "写真", "摄影", "photoshoot", "photo shoot", "shoot", "photo session", "photography"],
    ["婚礼", "结婚", "婚宴", "wedding", "marriage", "bride", "groom", "bridal"],
    ["相册", "图库", "gallery", "online gallery", "album", "photo album"],
    ["时段", "时间段", "档期", "空档", "空位", "名额", "slot", "time slot", "spots left", "spaces left"],
    ["交期", "交货期", "生产周期", "出片时间", "lead time", "turnaround", "turnaround time",
     "production time"],

    # ---- moving & storage ---------------------------------------------------------------------
    ["搬家", "搬家公司", "搬迁", "搬运", "movers", "moving company", "moving service",
     "removal company", "house move", "home move", "relocation", "relocate"],
    ["仓储", "储物", "储物柜", "寄存", "迷你仓", "self storage", "storage unit", "storage room",
     "storage facility", "locker"],
    ["组装", "拼装", "assembly", "assemble", "put together", "assembly service"],

    # ---- web hosting / domains / email -----------------------------------------------------
    ["域名", "domain", "domain name", "custom domain"],
    ["域名解析", "dns", "dns record", "nameserver", "name server", "cname", "mx record", "txt record"],
    ["安全证书", "ssl", "ssl certificate", "tls", "https", "security certificate"],
    ["主机", "虚拟主机", "服务器", "云服务器", "hosting", "web hosting", "server", "vps",
     "shared hosting"],
    ["域名转移", "转入域名", "domain transfer", "transfer domain", "auth code", "epp code",
     "transfer code"],
    ["垃圾邮件", "骚扰邮件", "spam", "junk mail", "junk", "spam folder", "junk folder"],
    ["退信", "邮件退回", "bounce", "bounce back", "undeliverable"],
    ["缓存", "清除缓存", "清缓存", "清理缓存", "cache", "cookie", "cookies", "clear cache",
     "clear cookies", "browser cache"],

    # ---- EV charging ----------------------------------------------------------------------------
    ["充电桩", "充电站", "充电点", "charging station", "charger", "charge point",
     "ev charger"],
    ["充电", "开始充电", "停止充电", "charging session", "start charging session",
     "charge car", "ev charging"],
    ["充电枪", "充电线", "充电接口", "charging cable", "connector", "plug", "ccs", "chademo"],
    ["电动车", "电动汽车", "新能源车", "ev", "evs", "electric vehicle", "electric car"],
    ["拔不下来", "拔不出来", "cable stuck", "can't unplug", "cannot unplug", "won't unplug"],

    # ---- subscriptions / coffee / food ------------------------------------------------------
    ["跳过", "跳过一期", "跳过本期", "skip"],
    # question type: how often
    ["频率", "多久一次", "how often", "frequency", "how frequently"],
    ["每周", "每星期", "一周一次", "weekly", "every week", "per week", "each week"],
    ["两周", "每两周", "双周", "biweekly", "fortnightly", "every two weeks", "every other week"],
    ["咖啡", "咖啡豆", "咖啡粉", "coffee", "coffee beans", "ground coffee", "beans"],
    ["口味", "味道", "风味", "flavor", "flavour", "taste"],
    # not 成分 on its own: it forms across words (生成分享链接)
    ["配料", "配料表", "成分表", "原料", "ingredient"],

    # ---- retail / furniture -------------------------------------------------------------------
    ["家具", "家私", "furniture", "furnishings"],
    ["样品", "小样", "布样", "色卡", "sample", "swatch"],
    ["自定义", "定制", "个性化", "customize", "customise", "customization", "customisation",
     "personalize", "personalise", "made to order", "bespoke"],

    # ---- SaaS / bookkeeping / online tools -----------------------------------------------
    ["权限", "访问权限", "角色", "permission", "access rights", "access level", "role", "user role"],
    ["管理员", "admin", "administrator", "super admin"],
    ["仪表盘", "控制台", "管理后台", "后台", "dashboard", "control panel", "admin panel", "console",
     "cpanel", "portal", "customer portal"],
    ["模板", "模版", "template"],
    ["功能请求", "新功能", "需求建议", "feature request", "new feature", "request feature", "roadmap"],
    ["导入", "批量导入", "import"],
    ["迁移", "数据迁移", "migrate", "migration", "move data", "transfer data"],
    ["电子表格", "excel", "spreadsheet", "csv", "xlsx", "xls"],
    ["pdf", "pdf file"],
    ["打印", "打印机", "print", "printer", "printout", "printable"],
    ["记账", "簿记", "做账", "bookkeeping", "book keeping", "ledger", "general ledger"],
    ["对账", "核对账目", "reconcile", "reconciliation", "match transactions"],
    ["支出", "开支", "花费", "开销", "expense", "spending", "expenditure"],
    ["收入", "营收", "营业额", "income", "revenue", "earnings", "turnover"],

    # ---- contact channels / devices --------------------------------------------------------
    ["回电", "回电话", "回拨", "callback", "call back", "request call"],
    ["在线聊天", "聊天", "live chat", "chat", "chatbot", "chat support"],
    ["留言", "私信", "消息", "message", "msg", "direct message", "dm"],
    ["营销邮件", "推广邮件", "广告邮件", "newsletter", "marketing emails", "promotional emails",
     "mailing list"],
    ["设备", "终端", "device", "gadget"],
    ["电脑", "笔记本电脑", "台式机", "computer", "laptop", "pc", "mac", "desktop"],

    # ---- generic actions / states ------------------------------------------------------------
    ["重启", "重新启动", "reboot", "restart", "power cycle", "turn off and on", "switch off and on"],
    ["恢复订阅", "重新订阅", "继续订阅", "resume", "unpause", "resubscribe", "reinstate"],
    ["重发", "重新发送", "再发一次", "resend", "send again", "resent"],
    ["对比", "比较", "区别", "差别", "compare", "comparison", "difference", "vs", "versus"],

    # ---- time words ---------------------------------------------------------------------------
    ["今天", "今日", "today"],
    ["明天", "明日", "tomorrow", "tmr", "tmrw"],
    ["提前", "提早", "预先", "事先", "in advance", "ahead of time", "beforehand", "advance notice",
     "prior notice"],
    ["临时", "暂时", "temporary", "temporarily", "temp"],
    ["永久", "永久性", "permanent", "forever"],
    ["截止时间", "截止日期", "最晚", "deadline", "cutoff", "cut off time", "cutoff time", "due date",
     "last day"],
    ["即时", "实时", "立即", "马上", "立刻", "秒到", "instant", "immediately", "real time", "realtime",
     "right away"],
]

# Extra phrases for groups of lexicon.py: key = a phrase of that group (it identifies the
# group), value = phrases to add to it. None of them is in lexicon.py or above.
MORE_ADDITIONS: dict[str, list[str]] = {
    # money
    "price": ["quote", "quotation", "询价", "估价", "tariff", "unit rate", "standing charge", "fare",
              "票价", "车费"],
    "billing": ["pymt", "pmt", "paymnet", "payement"],
    "invoice": ["recipt", "reciept", "invoce", "credit note"],
    "currency": ["dollar", "euro", "pound", "sterling", "gbp", "yuan", "cny", "hkd", "aud", "cad",
                 "jpy", "美金", "日元", "港币", "港元", "英镑", "澳元", "加元", "外币", "块钱"],
    "balance": ["bal", "store credit", "account credit"],
    "statement": ["statment", "月结单", "结单", "e statement", "estatement", "account statement"],
    "transaction": ["txn"],
    "top up": ["冲值", "add credit", "load money"],
    "refund": ["refundable", "reimbursement", "refound"],
    "withdraw": ["payout", "取款"],
    "installment": ["payment plan", "payment arrangement"],
    "deposit": ["retainer", "bond", "rental bond", "tenancy deposit", "booking deposit"],
    "dispute": ["chargeback", "拒付"],
    "compensation": ["claim", "索赔", "出险", "file claim", "make claim"],
    # account / subscription lifecycle
    "account": ["acct", "accnt", "acc", "acount"],
    "password": ["pwd", "pw", "pswd", "pasword"],
    "login": ["longin", "loggin"],
    "register": ["regist", "registeration"],
    "subscription": ["sub", "subscribtion", "subcription", "bundle", "package deal"],
    "cancel": ["cxl", "canx", "cancle", "cancelation", "call off"],
    "delete": ["wipe", "purge", "permanently delete", "permanently remove", "彻底删除", "永久删除", "清除",
               "清空"],
    "pause": ["hibernate", "hibernation", "freeze subscription", "freeze plan", "take break",
              "vacation hold", "holiday hold", "停机保号", "冻结会员"],
    "renew": ["续约", "续租"],
    "reschedule": ["postpone", "推迟", "改时间", "改日期", "换时间", "换个时间", "move booking",
                   "move appointment", "move reservation", "change date", "change time", "push back"],
    "appointment": ["appt", "挂号", "预约挂号", "appoinment", "apointment"],
    # failures / not received (chat spellings without apostrophe)
    "not working": ["cant", "doesnt work", "dont work", "isnt working", "wont work", "didnt work"],
    "not received": ["didnt receive", "didnt get", "havent received", "havent got", "not recieved",
                     "never recieved"],
    "can't find": ["cant find", "cant see"],
    "forgot": ["cant remember", "dont remember"],
    # time / speed
    "express": ["当天", "当日", "隔夜", "次日"],
    "asap": ["as soon as possible", "尽早", "赶紧", "急需"],
    "holiday": ["元旦", "中秋", "圣诞", "圣诞节", "元宵", "新年", "easter", "thanksgiving", "new year"],
    "outage": ["系统维护", "维护中", "scheduled maintenance", "under maintenance", "maintenance window"],
    "repair": ["maintenance request", "work order"],
    # devices / media
    "phone": ["smartphone", "cell phone", "cellphone", "mobile phone", "智能手机", "手机端", "安卓",
              "苹果手机", "ios"],
    "photo": ["pic", "photograph", "相片", "拍照", "jpg", "jpeg", "png"],
    "video": ["vid", "clip", "录像", "短视频"],
    "website": ["网站", "官网", "网页", "webpage", "site"],
    # delivery / retail
    "parcel": ["pkg"],
    "pickup": ["快递柜", "驿站", "菜鸟驿站", "parcel locker", "pickup locker"],
    "courier": ["快递小哥", "送货员"],
    "delivery": ["delivary", "delievery"],
    "tracking": ["traking"],
    "order": ["单子"],
    "size": ["dimensions", "measurements", "长宽高"],
    "quantity": ["qty"],
    "expire": ["best before", "use by", "保质期", "shelf life"],
    "points": ["stamp card", "loyalty card", "集点", "集章", "印花"],
    "warranty": ["warrenty", "waranty", "guarentee", "garantee"],
    "discount": ["coupen", "cupon", "discout"],
    "email": ["emial"],
    # people
    "child": ["infant", "baby", "toddler", "婴儿", "儿童", "小朋友"],
    "others": ["family", "family member", "spouse", "husband", "wife", "家属", "配偶", "老公", "老婆"],
    "customer service": ["客服人员", "service desk"],
}
