ALTER TABLE `sessions` ADD `course` text;--> statement-breakpoint
ALTER TABLE `sessions` ADD `learner` text;--> statement-breakpoint
ALTER TABLE `sessions` ADD `lab` text;--> statement-breakpoint
CREATE INDEX `sessions_course_state` ON `sessions` (`course`,`state`);