"""The Xiangzhi kit: the plumbing every service shares, and nothing of any service's domain."""
