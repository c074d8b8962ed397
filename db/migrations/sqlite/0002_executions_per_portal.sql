DROP INDEX `executions_callback`;--> statement-breakpoint
CREATE UNIQUE INDEX `executions_callback` ON `executions` (`portal_id`,`callback_id`);