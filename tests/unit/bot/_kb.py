"""Small bilingual KB fixture shared by the bot tests (not the evaluation sample)."""
from chalicelib.domain.bot.matcher import KBEntry

KB = [
    KBEntry("zh-price", "会员价格是多少?", ["收费标准", "一年多少钱"], "月度会员20元,年度会员199元。"),
    KBEntry("zh-refund", "怎么申请退款?", ["退钱", "不满意可以退吗"], "在订单页点击申请退款,3个工作日内原路退回。"),
    KBEntry("zh-password", "忘记密码怎么办?", ["重置密码", "密码找不到了"], "在登录页点击忘记密码,通过手机验证码重置。"),
    KBEntry("zh-invoice", "怎么开发票?", ["报销凭证", "开具发票"], "在订单详情中申请电子发票,发送到您的邮箱。"),
    KBEntry("zh-delivery", "多久能发货?", ["什么时候发货", "发货时间"], "付款后48小时内发货。"),
    KBEntry("en-price", "How much does membership cost?", ["pricing", "membership fee"],
            "Monthly membership is $3, yearly is $30."),
    KBEntry("en-refund", "How do I get a refund?", ["money back", "return my payment"],
            "Open the order and click Request refund; money is returned within 3 business days."),
    KBEntry("en-password", "I forgot my password", ["reset password", "can't remember my password"],
            "Click Forgot password on the sign-in page and follow the email link."),
    KBEntry("en-delivery", "When will my order ship?", ["shipping time", "delivery time"],
            "Orders ship within 48 hours of payment."),
    KBEntry("en-account", "How do I delete my account?", ["close my account", "remove my account"],
            "Go to Settings > Account and choose Delete account."),
]
