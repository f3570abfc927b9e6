"""What a person reads, in zh-CN or en-US: the message catalogues and their rendering."""
