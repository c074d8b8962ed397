ALTER TABLE `audit_events` ADD `before` text;--> statement-breakpoint
ALTER TABLE `audit_events` ADD `after` text;