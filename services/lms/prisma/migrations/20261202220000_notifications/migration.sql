-- Notifications and conduct limits (modules/notifications): templates per tenant, channel and language;
-- the borrower's contact preferences and per-channel opt-outs; every contact attempt with its outcome.

-- A message template. Bodies are Mustache: {{name}}, {{amountDue}}, {{dueDate}}, {{dpd}}, {{loanId}}, {{lender}};
-- html is escaped when rendered, text is not. subject and html are for email only.
CREATE TABLE "notification_templates" (
    "tenant_id" TEXT NOT NULL,
    "template_key" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "language" TEXT NOT NULL,
    "subject" TEXT,
    "body_text" TEXT NOT NULL,
    "body_html" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "notification_templates_pkey" PRIMARY KEY ("tenant_id", "template_key", "channel", "language"),
    CONSTRAINT "notification_templates_channel_check" CHECK ("channel" IN ('email', 'sms', 'whatsapp')),
    CONSTRAINT "notification_templates_email_check" CHECK ("channel" <> 'email' OR "subject" IS NOT NULL)
);

-- What the lender knows beyond the loan's address: the borrower's language and an explicit time zone.
CREATE TABLE "contact_preferences" (
    "tenant_id" TEXT NOT NULL,
    "loan_id" TEXT NOT NULL,
    "language" TEXT,
    "time_zone" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "contact_preferences_pkey" PRIMARY KEY ("tenant_id", "loan_id")
);

-- A channel the borrower asked not to be contacted on; deleting the row withdraws the opt-out.
CREATE TABLE "contact_opt_outs" (
    "tenant_id" TEXT NOT NULL,
    "loan_id" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "reason" TEXT,
    "recorded_by" TEXT NOT NULL,
    "opted_out_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "contact_opt_outs_pkey" PRIMARY KEY ("tenant_id", "loan_id", "channel"),
    CONSTRAINT "contact_opt_outs_channel_check" CHECK ("channel" IN ('email', 'sms', 'whatsapp', 'call'))
);

-- One contact attempt, at most one per (loan, purpose, slot): a retried activity finds its row and never
-- sends again. sending → sent → delivered | failed (vendor receipt); failed before the vendor took it
-- (no vendor_message_id) may be tried again under the same slot; blocked names the conduct rule and when
-- the contact may next be tried. Calls are logged here too (channel call, outcome sent, conversation).
CREATE TABLE "contact_attempts" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "loan_id" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "slot" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "template_key" TEXT,
    "language" TEXT,
    "attempted_at" TIMESTAMPTZ(3) NOT NULL,
    "outcome" TEXT NOT NULL,
    "rule" TEXT,
    "rule_detail" TEXT,
    "next_allowed_at" TIMESTAMPTZ(3),
    "regime" TEXT,
    "recipient" TEXT,
    "vendor" TEXT,
    "vendor_message_id" TEXT,
    "vendor_status" TEXT,
    "error_code" TEXT,
    "error_detail" TEXT,
    "conversation" BOOLEAN NOT NULL DEFAULT false,
    "tries" INTEGER NOT NULL DEFAULT 1,
    "delivered_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "contact_attempts_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "contact_attempts_channel_check" CHECK ("channel" IN ('email', 'sms', 'whatsapp', 'call')),
    CONSTRAINT "contact_attempts_outcome_check" CHECK ("outcome" IN ('sending', 'sent', 'delivered', 'failed', 'blocked')),
    CONSTRAINT "contact_attempts_blocked_check" CHECK ("outcome" <> 'blocked' OR "rule" IS NOT NULL)
);
CREATE UNIQUE INDEX "contact_attempts_slot_idx" ON "contact_attempts"("tenant_id", "loan_id", "purpose", "slot");
CREATE UNIQUE INDEX "contact_attempts_vendor_message_idx" ON "contact_attempts"("vendor", "vendor_message_id");
-- The conduct history of a loan (last days) and its keyset-paged listing.
CREATE INDEX "contact_attempts_loan_idx" ON "contact_attempts"("tenant_id", "loan_id", "attempted_at", "id");

-- The default templates of tenant demo, English and Hindi.
INSERT INTO "notification_templates" ("tenant_id", "template_key", "channel", "language", "subject", "body_text", "body_html") VALUES
('demo', 'payment-reminder', 'email', 'en', 'Your payment of {{amountDue}} is due on {{dueDate}}',
 E'Dear {{name}},\n\nThis is a reminder that your payment of {{amountDue}} on loan {{loanId}} is due on {{dueDate}}.\nIf you have already paid, please ignore this message.\n\n{{lender}}',
 '<p>Dear {{name}},</p><p>This is a reminder that your payment of <strong>{{amountDue}}</strong> on loan {{loanId}} is due on <strong>{{dueDate}}</strong>.</p><p>If you have already paid, please ignore this message.</p><p>{{lender}}</p>'),
('demo', 'payment-reminder', 'sms', 'en', NULL, '{{lender}}: your payment of {{amountDue}} on loan {{loanId}} is due on {{dueDate}}. Ignore if already paid.', NULL),
('demo', 'payment-reminder', 'whatsapp', 'en', NULL, 'Hello {{name}}, your payment of {{amountDue}} on loan {{loanId}} is due on {{dueDate}}. Ignore if already paid. - {{lender}}', NULL),
('demo', 'payment-overdue', 'email', 'en', 'Your payment of {{amountDue}} is {{dpd}} days overdue',
 E'Dear {{name}},\n\nYour payment of {{amountDue}} on loan {{loanId}}, due on {{dueDate}}, is {{dpd}} days overdue.\nPlease pay as soon as you can, or contact us to discuss a plan.\n\n{{lender}}',
 '<p>Dear {{name}},</p><p>Your payment of <strong>{{amountDue}}</strong> on loan {{loanId}}, due on {{dueDate}}, is <strong>{{dpd}} days overdue</strong>.</p><p>Please pay as soon as you can, or contact us to discuss a plan.</p><p>{{lender}}</p>'),
('demo', 'payment-overdue', 'sms', 'en', NULL, '{{lender}}: your payment of {{amountDue}} on loan {{loanId}} is {{dpd}} days overdue (due {{dueDate}}). Please pay or call us.', NULL),
('demo', 'payment-overdue', 'whatsapp', 'en', NULL, 'Hello {{name}}, your payment of {{amountDue}} on loan {{loanId}} is {{dpd}} days overdue (due {{dueDate}}). Please pay or reply to talk to us. - {{lender}}', NULL),
('demo', 'payment-reminder', 'email', 'hi', '{{amountDue}} का भुगतान {{dueDate}} को देय है',
 E'प्रिय {{name}},\n\nयह याद दिलाने के लिए है कि ऋण {{loanId}} पर {{amountDue}} का भुगतान {{dueDate}} को देय है।\nयदि आप भुगतान कर चुके हैं, तो कृपया इस संदेश को अनदेखा करें।\n\n{{lender}}',
 '<p>प्रिय {{name}},</p><p>यह याद दिलाने के लिए है कि ऋण {{loanId}} पर <strong>{{amountDue}}</strong> का भुगतान <strong>{{dueDate}}</strong> को देय है।</p><p>यदि आप भुगतान कर चुके हैं, तो कृपया इस संदेश को अनदेखा करें।</p><p>{{lender}}</p>'),
('demo', 'payment-reminder', 'sms', 'hi', NULL, '{{lender}}: ऋण {{loanId}} पर {{amountDue}} का भुगतान {{dueDate}} को देय है। भुगतान कर चुके हों तो अनदेखा करें।', NULL),
('demo', 'payment-reminder', 'whatsapp', 'hi', NULL, 'नमस्ते {{name}}, ऋण {{loanId}} पर {{amountDue}} का भुगतान {{dueDate}} को देय है। भुगतान कर चुके हों तो अनदेखा करें। - {{lender}}', NULL),
('demo', 'payment-overdue', 'email', 'hi', '{{amountDue}} का भुगतान {{dpd}} दिन से बकाया है',
 E'प्रिय {{name}},\n\nऋण {{loanId}} पर {{amountDue}} का भुगतान, जो {{dueDate}} को देय था, {{dpd}} दिन से बकाया है।\nकृपया जल्द से जल्द भुगतान करें, या भुगतान योजना पर बात करने के लिए हमसे संपर्क करें।\n\n{{lender}}',
 '<p>प्रिय {{name}},</p><p>ऋण {{loanId}} पर <strong>{{amountDue}}</strong> का भुगतान, जो {{dueDate}} को देय था, <strong>{{dpd}} दिन से बकाया</strong> है।</p><p>कृपया जल्द से जल्द भुगतान करें, या भुगतान योजना पर बात करने के लिए हमसे संपर्क करें।</p><p>{{lender}}</p>'),
('demo', 'payment-overdue', 'sms', 'hi', NULL, '{{lender}}: ऋण {{loanId}} पर {{amountDue}} का भुगतान {{dpd}} दिन से बकाया है (देय {{dueDate}})। कृपया भुगतान करें या हमें कॉल करें।', NULL),
('demo', 'payment-overdue', 'whatsapp', 'hi', NULL, 'नमस्ते {{name}}, ऋण {{loanId}} पर {{amountDue}} का भुगतान {{dpd}} दिन से बकाया है (देय {{dueDate}})। कृपया भुगतान करें या बात करने के लिए जवाब दें। - {{lender}}', NULL);
