"""What a marketer can do, once: the behaviours the `goodword` command and the console's API
share (review, rules, people, settings, report). Each service takes a ``Stores`` and the
name of who acts; it never prints, never exits and never builds an AWS client. Its errors
(``goodword.services.errors``) say what is wrong in words a marketer reads; the command turns
them into exit codes, the API into status codes."""
