"""What the demo trainees hand in: answers written per field as a trainee would, a
strong and a weak version of each foundation assessment and of the advanced data
assessment (Chinese, the demo trainees' language). Each passes the format checks; the
weak ones miss answers."""

STRONG, WEAK = "strong", "weak"
RETAKE = "retake"  # a second weak try: fixed what the first grade named, still short of the pass mark

DEMO_ANSWERS: dict[str, dict[str, dict[str, str]]] = {
    "takeover-and-defect-drill": {
        STRONG: {
            "order_id": "T202611110532", "defect_type": "misleading_promo",
            "defect_record": "智能体说：本商品参加满300减50。应该说：本商品不参与满减，以商品页价格为准。"
                             "严重程度：高（价格误导，可能引发投诉）。第二处：客户两次追问后仍未转人工，"
                             "证据见对话第 6 条。",
            "customer_reply": "您好，非常抱歉！刚才智能客服说本商品参加满300减50，这是错误的，本商品不参与满减。"
                              "差价50元我们会原路退回给您；如果您不想要了，也可以直接取消订单。",
            "tags": "活动咨询 / 已补偿 / 智能体误导",
        },
        WEAK: {
            "order_id": "T202611110532", "defect_type": "wrong_answer",
            "defect_record": "智能体回答错了满减规则。",
            "customer_reply": "您好，活动规则以页面为准，请您理解。",
            "tags": "活动",
        },
    },
    "dashboard-anomaly-drill": {
        STRONG: {
            "anomaly_date": "nov_12", "transfer_rate": "29.0",
            "analysis_note": "结论：11-12 转人工率 29.0%，约为前后几天（14% 左右）的两倍。\n"
                             "推测：双11 降价后价保申请激增，智能体无法处理价保（推测，待核实）。\n"
                             "下一步：抽查转人工前的智能体回复，核对价保知识配置。\n"
                             "导出方案：按日期和“转人工”筛选，预计 1,020 行，核对行数、会话ID 无重复。",
        },
        WEAK: {
            "anomaly_date": "nov_11", "transfer_rate": "24",
            "analysis_note": "双11 那天转人工多，可能是因为人多。导出全部数据。",
        },
    },
    "after-sales-casework": {
        STRONG: {
            "case_a_action": "reship",
            "case_a_evidence": "证据：签收照片与外箱破损照片。时间线：10:20 签收，11:05 反馈，在 48 小时内。"
                               "碎壶无需寄回，请客户保留外箱以便向快递索赔；24 小时内补发并告知新运单号。",
            "case_b_refund": "75.43", "case_c_action": "decline_with_alternative",
            "case_c_reply": "理解您的心情。这款是刻字定制商品，商品页已标明不支持七天无理由退货，下单时您也确认过，"
                            "所以这次无法退货。如果收到后发现质量问题，请随时联系我们，会按售后为您处理。",
        },
        WEAK: {
            "case_a_action": "return_and_refund",
            "case_a_evidence": "让客户把坏的水壶寄回来，收到后退款。",
            "case_b_refund": "89", "case_c_action": "refund_only",
            "case_c_reply": "好的，给您退款。",
        },
    },
    "compliance-review-drill": {
        STRONG: {
            "compliant_draft": "draft_4",
            "violations": "草稿 1：“全网最低”“绝对不降价”“十倍赔付”是绝对化用语和无依据承诺，可能被平台处罚。\n"
                          "草稿 2：透露他人姓名、订单号和地址，属个人信息泄露，严重程度高，需上报。\n"
                          "草稿 3：“祛斑”“医院同款”是功效宣称，“无效退款”承诺无依据。",
            "rewrite_draft_1": "亲，后续价格我们无法承诺。本店支持 15 天价保，同一商品降价可申请差价，"
                               "具体以商品页规则为准。",
            "rewrite_draft_2": "抱歉，为保护其他客户的隐私，无法提供他人的订单信息。您本人的订单正在运输中，"
                               "有更新我会第一时间告诉您。",
        },
        WEAK: {
            "compliant_draft": "draft_1",
            "violations": "草稿 3 说了功效，不太合适。",
            "rewrite_draft_1": "亲，我们的价格很优惠，请放心购买。",
            "rewrite_draft_2": "您朋友的订单已经发货了，请耐心等待。",
        },
    },
    "wrong-answer-causes": {
        STRONG: {
            "cause_w1": "outdated_knowledge", "cause_w2": "missing_context", "cause_w3": "ambiguous_intent",
            "cause_w4": "retrieval_miss", "cause_w5": "instruction_conflict", "cause_w6": "hallucination",
            "fixes": "W1｜价保条目更新于 2025-06-01，早于 10 月起的 15 天新规｜知识库负责人｜改为签收后 15 天，"
                     "下线旧条目并设季度复核日期。\n"
                     "W2｜订单接口只返回最近一笔订单（电饭煲）｜技术配置｜返回全部未完结订单，多单时先请用户确认。\n"
                     "W3｜换货 0.46 与质量问题换新 0.41 很接近，却没有追问｜AI训练师｜两个意图分数接近时先澄清一句。\n"
                     "W4｜知识库有配件条目，但检索记录里没有｜知识库负责人｜给条目补充“炸篮能单独买吗”等问法，复测检索。\n"
                     "W5｜活动话术与系统指令矛盾，检索到的条目是对的｜运营和指令负责人｜"
                     "删除 24 小时话术，写明系统指令优先。\n"
                     "W6｜检索为空、知识库无此条目｜指令负责人＋知识库负责人｜无依据时转人工或说明需核实，"
                     "按说明书补充水壶用途条目。",
        },
        WEAK: {
            "cause_w1": "hallucination", "cause_w2": "missing_context", "cause_w3": "retrieval_miss",
            "cause_w4": "hallucination", "cause_w5": "outdated_knowledge", "cause_w6": "hallucination",
            "fixes": "W1 价保说错了，需要优化。W2 订单查错了，请技术看一下。W3 智能体没理解用户，建议优化模型。"
                     "W4 智能体乱说，建议加强训练。W5 到账时间说错了，建议更新知识库。"
                     "W6 智能体乱编，建议优化模型。以上问题都比较严重，影响客户体验，希望尽快处理，"
                     "处理完以后请通知我们复查。另外建议每周把误答汇总给AI训练师，统一排查一次，谢谢。",
        },
    },
    "exception-tracking-drill": {
        STRONG: {
            "exception_table": "订单 A：退款中发货，正在派件；马上电话请顾客拒收，同时发起拦截，退回后完成退款。\n"
                               "订单 B：中转停滞（广州转运中心发出后无更新）；向韵达查件催件，如实告知顾客。\n"
                               "订单 C：拆单，不是少件；撤销少件补发，把裤子的运单号告诉顾客。\n"
                               "订单 D：问题件，地址缺门牌号；保留期内联系顾客补全地址并通知网点。\n"
                               "订单 E：超卖，可用库存为负；在承诺发货时限前主动联系，给等待或取消退款两个选择。",
            "most_urgent": "a",
            "urgency_reason": "A 已经在派件，签收后退款就要走退货流程。其后依次：C（撤销补发，避免重复发货）、"
                              "D（网点只保留 3 天）、E（10-23 09:00 前联系），B 今天内查件答复。",
            "stall_hours": "61.8",
            "reply_b": "您好，您的电饭煲 10 月 20 日凌晨从广州转运中心发出后，物流一直没有更新，"
                       "之前回复您“运输中”不准确，抱歉。我已经联系韵达查件，今天 18:00 前告诉您结果；"
                       "如果确认丢件，可以给您补发或退款，由您选。",
            "defect_log": "B：误答 wrong_answer，没读最后一条轨迹的时间，停滞两天多仍答“运输中”；应判停滞并转人工。\n"
                          "C：误答 wrong_answer，没读订单下的第二个运单，把拆单当少件登记补发；应告知拆单和运单号。\n"
                          "E：误答 wrong_answer，没读揽收记录和可用库存，说了不存在的发货，严重程度高；应转人工。\n"
                          "建议：中转超过 48 小时无更新、可用库存为负时自动转人工。",
            "own_experience": "我原来做订单处理，常见的是合单漏发：两个订单合成一个包裹，只有一个运单号。"
                              "顾客会说“另一单怎么没有物流”。我先查合单记录和包裹里的商品清单。"
                              "智能体只看到第二个订单没有运单号，可能回答“还在备货”，应该说明已经合并发出。",
        },
        WEAK: {
            "exception_table": "A 正常派送。B 运输中。C 少发了，补发。D 地址问题。E 还没发货。",
            "most_urgent": "b",
            "urgency_reason": "B 的顾客最着急。",
            "stall_hours": "71",
            "reply_b": "亲，您的包裹正在运输中，请耐心等待哦。",
            "defect_log": "智能体 B 单答得不对。",
            "own_experience": "我以前做过订单，知道订单的流程。",
        },
    },
    # the advanced data assessment trainee9 failed twice (her outcome note says so)
    "intent-review-drill": {
        STRONG: {
            "recall_urge_dispatch": "64.0", "precision_track_shipment": "68.6", "top_confusion": "urge_vs_track",
            "relabel_suggestion": "现象：催发货召回率只有 64.0%，漏判的主要被标成了查物流（两个方向合计最多）。\n"
                                  "样例：C0412、C0437、C0455 均为“待发货、无运单号”，顾客在催发货而非查物流。\n"
                                  "规则：订单未发货、无运单号时，一律标为催发货；已发货有运单号才标查物流。\n"
                                  "重标范围：近两周“待发货”状态下被标为查物流的会话。\n"
                                  "验证：重标后抽样 200 条复算两项指标，催发货召回率应明显上升。",
        },
        WEAK: {
            "recall_urge_dispatch": "72.5", "precision_track_shipment": "55.0", "top_confusion": "complaint_vs_refund",
            "relabel_suggestion": "查物流和催发货有些分不清，建议重新标注一下。",
        },
        RETAKE: {
            "recall_urge_dispatch": "64.0", "precision_track_shipment": "52.4", "top_confusion": "urge_vs_track",
            "relabel_suggestion": "催发货召回率 64.0%，很多被标成了查物流，例如 C0412、C0437。"
                                  "建议把没有运单号的会话都标为催发货。",
        },
    },
}
