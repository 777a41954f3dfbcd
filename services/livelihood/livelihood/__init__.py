"""民生: public works, environment remediation and practical things done."""
