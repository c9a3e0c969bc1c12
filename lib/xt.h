/*
 * xt.h - the xmpp-tools core, shared by every tool in cmd/.
 *
 * Topics, one file each: exit codes and messages (exit.c), signals
 * (signal.c), option tables (opt.c), accounts and credentials (account.c),
 * the connection (conn.c), delivery tracking (track.c), text checks and
 * escapes (text.c), JIDs (jid.c), stanzas to and from JSON (json.c), raw XML
 * stanzas in (xmlin.c), building stanzas (stanza.c), rooms (muc.c),
 * archives (mam.c), rosters (roster.c), HTTP upload (upload.c), reading
 * input and secrets (io.c), certificates (cert.c), DNS (dns.c), the
 * server-to-server stream (s2s.c), federation checks (probe.c), the
 * monotonic clock (clock.c), what a port speaks (mixup.c), what a setup
 * check sees of a connection (observe.c) and finds (check.c).
 */
#ifndef XT_H
#define XT_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <strophe.h>
#include <sys/socket.h>
#include <time.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#define XT_VERSION "0.1.0"

/* Exit codes: one scheme for every tool, documented in xmpp-tools(7). */
enum xt_exit {
	XT_OK = 0,
	XT_EPROBLEM = 1,      /* xmpp-s2s-probe: a check failed */
	XT_EUSAGE = 64,       /* EX_USAGE: bad options or arguments */
	XT_EDATA = 65,        /* EX_DATAERR: bad input (JSON, XML, UTF-8, JID) */
	XT_ENOINPUT = 66,     /* EX_NOINPUT: an input file cannot be read */
	XT_EUNAVAILABLE = 69, /* EX_UNAVAILABLE: server unreachable, DNS */
	XT_ESOFTWARE = 70,    /* EX_SOFTWARE: internal error */
	XT_EOS = 71,          /* EX_OSERR: fork, exec, memory */
	XT_EIO = 74,          /* EX_IOERR: writing output failed */
	XT_ETIMEOUT = 75,     /* EX_TEMPFAIL: a wait ran out of time */
	XT_EPROTOCOL = 76,    /* EX_PROTOCOL: stream or stanza error */
	XT_EAUTH = 77,        /* EX_NOPERM: authentication failed */
	XT_ECONFIG = 78,      /* EX_CONFIG: config, permissions, no password */
	XT_ETLS = 79,         /* TLS failed or certificate not trusted */
	XT_EPARTIAL = 80,     /* some stanzas were not confirmed */
	XT_ENOKEY = 81,       /* encryption asked, impossible for a recipient */
};

/* exit.c: diagnostics. Messages read "prog: what: why (what to do)", one
 * line: every control character in them is escaped (xt_escaped). */
extern const char *xt_progname;
extern int xt_quiet;   /* -q: only errors */
extern int xt_verbose; /* -v: the XML stream on stderr */
/* Sets the program name used in messages, ignores SIGPIPE and hardens the
 * process (xt_harden). */
void xt_init(const char *argv0);
/* No core files, and /proc/PID/mem, environ and the like closed to other
 * processes of the same user: they would show the password. */
void xt_harden(void);
/* After fork, before exec: undoes what xt_init did to us (ignored
 * signals, the mask, the core limit), so that a command starts as it
 * would from a shell. */
void xt_child_defaults(void);
/* Starts /bin/sh -c cmd with fd as its descriptor to (0 or 1), no other
 * of ours open above 2, xt_child_defaults, and env's NAME, VALUE pairs
 * (NULL-terminated, or NULL) set, a NULL VALUE unsetting NAME; returns
 * its pid, or -1 (errno set). */
pid_t xt_spawn_shell(const char *cmd, int fd, int to, const char *const *env);
/* Prints "prog: message" on stderr; returns code. */
int xt_error(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prints "prog: warning: message" on stderr unless -q. */
void xt_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* when.c: times for people, in one zone (local) and one format, ISO 8601
 * with the offset: 2026-12-03T08:01:02+01:00 (JSON keeps XEP-0082 UTC).
 * xt_local_time writes t so; xt_stamp_to_time reads a XEP-0082 stamp
 * (0, or -1 if it is not one); xt_stamp_local writes a stamp so, or
 * escaped as it came when it cannot be read. */
void xt_local_time(time_t t, char *out, size_t len);
int xt_stamp_to_time(const char *stamp, time_t *t);
void xt_stamp_local(const char *stamp, char *out, size_t len);
/* progress.c: the progress bar. The rate is smoothed (an exponential
 * moving average over a few seconds, samples at least 500 ms apart), so
 * that uneven chunks do not make it, or the ETA, jump. */
struct xt_progress {
	long started_ms;
	long sampled_ms;       /* when the last sample was taken */
	double sampled_bytes;  /* bytes done then */
	double rate;           /* bytes per second, smoothed */
};
void xt_progress_start(struct xt_progress *p, long now_ms);
/* Feeds the bytes done by now_ms (xt_now_ms's clock). */
void xt_progress_update(struct xt_progress *p, long now_ms, double done);
/* The columns of the terminal on fd: TIOCGWINSZ, else $COLUMNS, else 80. */
int xt_terminal_width(int fd);
/* Writes the bar's line for a terminal width columns wide: name (cut to
 * fit), bytes done and total, percentage, rate and ETA, as many figures
 * as fit; always width - 1 columns, never more, no newline nor \r. */
void xt_progress_format(char *out, size_t len, int width, const char *name,
			double done, double total, double rate);
/* Prints "prog: message" on stderr when it is a terminal, unless -q. */
void xt_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the message and exits with code. */
void xt_die(int code, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
/* Returns the name of an exit code ("timeout", "tls", ...). */
const char *xt_exit_name(int code);
/* Like malloc/strdup/realloc, but exits with XT_EOS when memory runs out. */
void *xt_malloc(size_t n);
/* xt_malloc, the memory zeroed. */
void *xt_zalloc(size_t n);
char *xt_strdup(const char *s);
void *xt_realloc(void *p, size_t n);

/* clock.c: CLOCK_MONOTONIC, for deadlines and timings. */
long xt_now_ms(void);
/* What xt_deadline_left_ms returns when no --timeout was given. */
#define XT_NO_DEADLINE (1L << 40)
/* --timeout S: sets the whole run's deadline, S seconds from now (0: none). */
void xt_deadline_set(long seconds);
/* Returns the --timeout given, in seconds, or 0. */
long xt_deadline_seconds(void);
/* Returns the milliseconds left before the deadline (0 once it passed), or
 * XT_NO_DEADLINE. */
long xt_deadline_left_ms(void);
/* Returns 1 once the deadline passed. */
int xt_deadline_passed(void);
/* Returns ms, or less: what is left before the deadline. */
long xt_cap_ms(long ms);
/* Milliseconds since since (taken with clock_gettime(CLOCK_MONOTONIC)). */
double xt_elapsed_ms(const struct timespec *since);

/* signal.c */
/* Set once SIGINT or SIGTERM arrived (after xt_catch_stop_signals). */
extern volatile sig_atomic_t xt_stop;
/* Makes SIGINT and SIGTERM set xt_stop instead of killing the process. */
void xt_catch_stop_signals(void);
/* Returns xt_stop: a done() for xt_wait that waits for a signal. */
int xt_stopped(void *data);

/* opt.c: one option table per tool, from which --help is printed. */
struct xt_opt {
	int id;           /* a letter for options with a short form, else >= 256 */
	const char *name; /* long name, without the dashes */
	const char *arg;  /* argument's name, or NULL for a flag */
	const char *help; /* one line for --help */
};
/* A short option a tool does not take because it means another option in
 * the other tools: the usage error says what to use instead. */
struct xt_moved_short {
	int letter;          /* 'j' */
	const char *instead; /* "use --jobs N (-j is --jid in the other tools)" */
};
struct xt_tool {
	const char *name;             /* "xmpp-send" */
	const char *synopsis;         /* usage lines, without the name */
	const char *summary;          /* one line: what the tool does */
	const struct xt_opt *opts;    /* ends with {0}; NULL: none of its own */
	/* Called for each tool option; returns 0, or an exit code. */
	int (*option)(int id, const char *arg, void *data);
	void *data;
	int no_account;               /* takes no account options */
	const struct xt_moved_short *moved; /* ends with {0}; may be NULL */
};
struct xt_account;
/* Parses argv: the tool's options, the account and connection options
 * (unless t->no_account; a may then be NULL) and -h/-V/-v/-q; returns the
 * index of the first operand. Exits on --help,
 * --version and usage errors. */
int xt_parse_options(const struct xt_tool *t, struct xt_account *a,
		     int argc, char **argv);
/* Prints "usage: ..." and the hint on stderr; exits XT_EUSAGE. */
void xt_usage(const struct xt_tool *t, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
/* Sets *host (freeing the old one) and, if given, *port from HOST[:PORT],
 * [V6]:PORT or a bare V6 address; -1 if bad, leaving both as they were. */
int xt_parse_hostport(const char *v, char **host, unsigned short *port);
/* The same for a->host and a->port. */
int xt_parse_server(struct xt_account *a, const char *v);
/* --timeout S, the whole run's deadline (xt_deadline_set): returns 0, or
 * XT_EUSAGE with the error printed. */
int xt_deadline_option(const char *arg);
/* Parses a non-negative decimal number of seconds or a count; -1 if bad. */
long xt_parse_number(const char *s, long max);
/* Parses a presence priority, -128 to 127 (RFC 6121 4.7.2.3) into *prio;
 * -1 if bad. */
int xt_parse_priority(const char *s, int *prio);

/* account.c: who we are and how to reach the server. */
struct xt_account {
	char *jid;        /* bare or full JID */
	char *password;   /* in xt_secret_keep's memory; xt_account_free drops it */
	char *host;       /* --server host, or NULL for DNS SRV */
	unsigned short port;
	char *cafile;
	char *capath;
	int direct_tls;   /* XEP-0368 */
	int insecure;     /* skip certificate verification (warned) */
	int allow_plain;  /* PLAIN even where SCRAM worked before */
	long connect_timeout; /* seconds for each network wait */
	long confirm_timeout; /* seconds without any acknowledgement before
			       * confirmation is given up (30) */
	long keepalive;   /* seconds of quiet before asking the server (60) */
	long retry_for;   /* seconds to keep reconnecting after a loss; 0: none,
			   * -1: for ever */
	char *pin;        /* --pin sha256:BASE64 of the server's public key */
	int tls_min;      /* --tls-min: TLS1_2_VERSION or TLS1_3_VERSION; 0 before
			   * xt_account_resolve (then TLS 1.2 unless the config
			   * says 1.3) */
	/* where the values come from (options) */
	char *config_path;
	char *config_used; /* the config file the account came from, or NULL */
	char *name;       /* -a NAME */
	char *password_file;
	char *password_cmd;
	char *resource;
};
/* Fills what options left unset from the environment, the config file and
 * go-sendxmpp's config; reads the password. Returns 0 or an exit code,
 * having printed the error. */
int xt_account_resolve(struct xt_account *a);
/* Wipes the password and frees every field. */
void xt_account_free(struct xt_account *a);
/* Returns 0 when path is private to its owner, who is us or root, and no
 * directory on the way to it from $HOME (else from /) is another user's or
 * writable by others; else prints what and how to fix it and returns
 * XT_ECONFIG. what names the file's role ("config file"). */
int xt_check_private(const char *path, const char *what);
/* What one config source (ours or go-sendxmpp's) says about an account. */
struct xt_config {
	char *jid, *password, *password_file, *password_cmd, *server;
	char *cafile, *capath, *resource, *tls_min;
	int direct_tls, allow_plain;
	char *path;       /* the file it was read from */
};
/* Parses the text (len bytes) of our config file into c for account name
 * (NULL: the unnamed one at the top); path names the file in messages.
 * Returns 0, 1 if the account is not there, or XT_ECONFIG (printed). */
int xt_config_parse(const char *text, size_t len, const char *path,
		    const char *name, struct xt_config *c);
/* Parses go-sendxmpp's "key: value" config text into c; returns 0. */
int xt_config_parse_go_sendxmpp(const char *text, size_t len,
				struct xt_config *c);
/* Wipes the password and frees every field. */
void xt_config_free(struct xt_config *c);

/* text.c: what may go into an XML stanza, and what may reach a terminal. */
/* Returns NULL when s (len bytes) is valid UTF-8 holding only characters XML
 * 1.0 allows; else a static description of the first problem, with *at set
 * to its byte offset. */
const char *xt_text_check(const char *s, size_t len, size_t *at);
/* Returns a new string (to free) in which what a terminal would act on is
 * shown escaped: C0 controls, DEL and bytes that are not UTF-8 as \xNN, C1
 * and BiDi controls as \u{XXXX}, a newline as \n. NULL for NULL. For
 * anything a peer sent that goes to a terminal or a diagnostic. */
char *xt_escaped(const char *s);
/* The same, but newlines stay, each followed by indent: a multi-line text
 * whose continuation lines cannot pose as lines of their own. */
char *xt_escaped_lines(const char *s, const char *indent);

/* jid.c */
/* Returns NULL when jid is a valid JID (RFC 7622 shape); else why not. */
const char *xt_jid_check(const char *jid);
/* Returns a newly allocated bare JID (local@domain or domain). */
char *xt_jid_bare(const char *jid);
/* Returns a newly allocated domain part. */
char *xt_jid_domain(const char *jid);
/* Warns when jid (named what, e.g. "recipient") is a single word without
 * @ or dot: valid, the domain JID of a server, but surely a typo. */
void xt_warn_word_jid(const char *what, const char *jid);
/* Returns jid in the form RFC 7622 compares (malloc'd): localpart and
 * domainpart lowercased (ASCII, Latin, Greek, Cyrillic, Armenian, fullwidth;
 * no NFC), one trailing dot of the domain dropped, resourcepart as it is. */
char *xt_jid_normalize(const char *jid);
/* Returns 1 if a and b are the same JID once normalised; NULL is no JID. */
int xt_jid_equal(const char *a, const char *b);
/* Returns 1 if a and b have the same bare JID once normalised. */
int xt_jid_bare_equal(const char *a, const char *b);
/* Returns 1 if jid is pattern's: a bare pattern matches any of its
 * resources, a full one only itself (compared as xt_jid_equal). */
int xt_jid_matches(const char *pattern, const char *jid);

/* conn.c: one client connection over libstrophe. */
typedef int (*xt_stanza_cb)(xmpp_stanza_t *st, void *data);
struct xt_track;
/* scram.c: the checks of RFC 5802 that libstrophe leaves out, fed with
 * the SASL elements as they are sent and received. */
struct xt_scram {
	int used;                /* the client chose a SCRAM mechanism */
	int active;              /* and its exchange can be checked */
	int verified;            /* the server's signature was right */
	char mech[24];           /* "SCRAM-SHA-1", "SCRAM-SHA-256-PLUS" */
	char *client_first_bare; /* "n=user,r=cnonce" */
	char *cnonce;
	char *server_first;
	char *nonce;
	unsigned char *salt;
	size_t salt_len;
	int iterations;
	char *client_final;      /* without ",p=proof" */
};
void xt_scram_reset(struct xt_scram *s);
/* The length of the GS2 header ("n,,", "y,,", "p=tls-exporter,,", with an
 * optional authzid) that starts a client-first-message; 0 if none. */
size_t xt_scram_gs2_header_len(const char *msg);
void xt_scram_sent_auth(struct xt_scram *s, const char *xml);
void xt_scram_sent_response(struct xt_scram *s, const char *xml);
/* 0, or an exit code with why set: a nonce not extending ours, too many
 * iterations, a malformed message (XT_EPROTOCOL); a SCRAM that cannot be
 * checked, or a wrong signature in a second challenge (XT_EAUTH). */
int xt_scram_check_challenge(struct xt_scram *s, const char *xml, const char *password,
			     char *why, size_t len);
/* 0 when no SCRAM was used or the server proved it knows the password;
 * else XT_EAUTH with why set: its signature missing or wrong, or an
 * exchange that could not be followed (fails closed). */
int xt_scram_check_success(struct xt_scram *s, const char *xml, const char *password,
			   char *why, size_t len);

/* state.c: per-account state kept between runs, one small file per topic
 * and bare JID under $XDG_STATE_HOME/xmpp-tools. */
/* Reads topic's value for jid into out; 0, or -1 if there is none. */
int xt_state_get(const char *topic, const char *jid, char *out, size_t len);
/* Writes it (atomically, 0600); 0, or -1 if it cannot be kept. */
int xt_state_set(const char *topic, const char *jid, const char *value);

/* strophe-glue.c: every workaround for libstrophe (0.12 - 0.14), each
 * failing closed; see its header. */
/* xmpp_initialize, after refusing (XT_ESOFTWARE) a libstrophe older than
 * the one the program was built with. */
void xt_glue_init(void);
/* The flags of every connection (mandatory TLS, our stream management). */
long xt_glue_conn_flags(int direct_tls, int insecure);
/* The errno of a failed connection, from the handler's error and the one
 * libstrophe logged. */
int xt_glue_conn_errno(int error, int logged);
/* The element of a "RECV: " or "SENT: " log line (*sent says which), or
 * NULL for another line. */
const char *xt_glue_logged_xml(const char *msg, int *sent);
/* Whether a log line marks the end of a TLS handshake (the peer's
 * certificate, before anything more is sent): where --pin is checked. */
int xt_glue_is_cert_line(const char *area, const char *msg);
/* --pin: compares the server's key, once per session (c->pin_checked);
 * a mismatch fails c (XT_ETLS) and shuts its socket. */
struct xt_conn;
void xt_glue_check_pin(struct xt_conn *c);
/* The connection whose TLS writes need --pin checked first (XT_ETLS). */
void xt_glue_attach(struct xt_conn *c);
/* Every SSL_CTX_new of the process (libstrophe's, libcurl's, ours) makes
 * contexts that refuse TLS below 1.2: raises that floor to version
 * (TLS1_3_VERSION); never below TLS 1.2. */
void xt_tls_floor(int version);
/* Why the stream's XML was refused (a DTD, an entity, a stanza's text too
 * long), or NULL. */
const char *xt_xml_refused(void);

/* opt.c: --tls-min. */
/* Returns TLS1_2_VERSION or TLS1_3_VERSION for "1.2" or "1.3"; else -1. */
int xt_parse_tls_min(const char *v);
/* Returns "1.2" or "1.3" for the version --tls-min gave. */
const char *xt_tls_version_name(int version);

/* trust.c: the trust of every TLS context of the process (libstrophe's
 * through its SSL_CTX_set_default_verify_paths in strophe-glue.c, ours)
 * and of libcurl's
 * uploads, given through their APIs; the environment is left as it was. */
/* Trusts only cafile and capath (either may be NULL), or when both are
 * NULL the system's default store; loads it once, for every context. 0, or
 * -1 with why set if the CA certificates cannot be loaded. */
int xt_trust_set(const char *cafile, const char *capath, char *why, size_t len);
/* Gives ctx that trust (the system's, if none was set); 1, or 0 if it
 * cannot be loaded. */
int xt_trust_ctx(SSL_CTX *ctx);
/* What libcurl is to trust, as CURLOPT_CAINFO and CURLOPT_CAPATH: both
 * NULL for its own default, the system's. */
void xt_trust_curl_paths(const char **cafile, const char **capath);

/* observe.c: what xmpp-check needs to see of a connection, kept once
 * xt_observe_start was called. */
struct xt_observed {
	int on;
	char tls_version[16];  /* "TLSv1.3", of the last handshake */
	char cipher[64];       /* "TLS_AES_256_GCM_SHA384" */
	STACK_OF(X509) *chain; /* leaf first: verified, else as sent; or NULL */
};
extern struct xt_observed xt_observed;
/* Starts observing: the TLS contexts made from now on, and each element
 * sent (dir '>') or received ('<') handed to on_xml (NULL: none), as
 * libstrophe logs it: an <auth/> holds the SASL secret, never to be kept. */
void xt_observe_start(void (*on_xml)(char dir, const char *xml));
/* Called by strophe-glue.c for every new context, by conn.c for each element. */
void xt_observe_tls_ctx(SSL_CTX *ctx);
void xt_observe_xml(char dir, const char *xml);
/* Drops what was kept and stops. */
void xt_observe_free(void);

/* check.c: xmpp-check's findings, one line per check. */
struct xt_conn;
enum { XT_CHECK_OK, XT_CHECK_NOTE, XT_CHECK_WARN, XT_CHECK_FAIL };
struct xt_check_line {
	const char *check;  /* "account", "tls", ... (static) */
	int status;         /* XT_CHECK_* */
	char *detail;
	char *fix;          /* on warn and fail; else NULL */
};
#define XT_CHECK_MAX 48
struct xt_checks {
	struct xt_check_line line[XT_CHECK_MAX];
	size_t n;
	int code;           /* the exit code of the first failure, or 0 */
};
/* Starts observing the connection (observe.c): before xt_connect. */
void xt_check_start(void);
/* The account line: its JID and where it came from (jid_given: --jid). */
void xt_check_account(struct xt_checks *k, const struct xt_account *a, int jid_given);
/* A failed line from an error message "what: why (fix)", code its exit code. */
void xt_check_failed(struct xt_checks *k, const char *check, int code, const char *why);
/* Every line after a login on c: the server, TLS, SASL, stream management,
 * carbons, MAM, upload, the stanza limit, end-to-end encryption. */
void xt_check_session(struct xt_checks *k, struct xt_conn *c);
/* "ok", "note", "warn" or "fail". */
const char *xt_check_status_name(int status);
/* Frees the lines and what was observed. */
void xt_checks_free(struct xt_checks *k);

/* strophe-glue.c: why the stream's XML was refused (a DTD, an entity, a
 * stanza's text too long), or NULL. */
const char *xt_xml_refused(void);

struct xt_conn {
	xmpp_ctx_t *ctx;
	xmpp_conn_t *xc;
	struct xt_account *acct;
	char *domain;     /* the account's domain */
	char where[300];  /* host:port or domain, for messages */
	int sock_errno;   /* why the socket failed, from libstrophe's log */
	int tcp_up;       /* the TCP connection was made */
	long last_rx;     /* when the server last sent something (ms) */
	long ka_sent;     /* when the last keepalive went out (ms), or 0 */
	int state;        /* XT_CONN_* */
	int error;        /* exit code of the first failure, or 0 */
	char why[768];    /* its message */
	int sock;         /* the socket, once connected */
	int sm;           /* XEP-0198 asked for (acks by <r/>) */
	int sm_pending;   /* <enable/> sent, not answered yet: send nothing */
	int sm_enabled;   /* the server said <enabled/>: count what it sends */
	int sm_offered;
	unsigned long sm_in;   /* stanzas received, for <a h=''/> */
	unsigned long sent;    /* counted stanzas sent */
	unsigned long confirmed; /* of those, confirmed by the server */
	unsigned long asked;   /* sent count at the last ack request */
	long asked_at;         /* when that request went out (ms) */
	long last_ack;    /* when the server last confirmed more (ms) */
	unsigned long ping_seq;
	struct xt_track *track;
	struct xt_muc *muc;     /* muc.c: rooms joined, messages they must reflect */
	xt_stanza_cb on_stanza; /* every incoming stanza after session start */
	void *on_stanza_data;
	int closing;
	char tls_why[256];
	char tls_fp[128];
	char tls_reason[128]; /* OpenSSL's first reason for a failed handshake */
	/* why the socket ended, from libstrophe's log: its own error codes
	 * mix errno and SSL_get_error values, so its number alone misleads */
	char lost[160];
	int ssl_failed;   /* SSL_ERROR_SSL logged: its reason line follows */
	int rx_any;       /* the server sent an element (or a header) */
	int srv_missing;  /* libstrophe found no SRV record for the domain */
	char tried[280];  /* the HOST:PORT libstrophe last tried to reach */
	int mixup;        /* the login failed as a STARTTLS/direct TLS mix-up
			   * would: checked once the wait is over */
	int pin_checked;  /* the server's key was compared with --pin */
	/* reconnecting (acct->retry_for): unconfirmed stanzas are kept as
	 * text and sent again on a new session */
	int retryable;    /* the failure was the network's or a restart */
	int reconnecting; /* inside recover(): waits do not recurse */
	long down_since;  /* when the connection was lost (ms), or 0 */
	unsigned long reconnects, resent;
	unsigned long remote_sent; /* tracked stanzas to other domains */
	/* called on each new session after a reconnection (presence, rooms,
	 * catching up); returns 0 or an exit code */
	int (*on_reconnect)(struct xt_conn *c, void *data);
	void *on_reconnect_data;
	struct xt_scram scram;
	int login_aborted; /* an error found in the log: the socket is shut */
	int plain_sent;    /* SASL PLAIN went out (inside TLS) */
	int sasl_ok;       /* the login's SASL exchange was seen and checked */
	/* the archive query now open (mam.c): only results with its queryid,
	 * from its archive (NULL: the account's own), are archived messages */
	char *mam_queryid;
	const char *mam_archive;
};
enum { XT_CONN_NEW, XT_CONN_CONNECTING, XT_CONN_ONLINE, XT_CONN_CLOSED };
/* Connects, secures, authenticates and binds; returns 0 or an exit code with
 * the error printed (and c already closed). */
int xt_connect(struct xt_conn *c, struct xt_account *a);
/* Resolves the account and connects: what every tool does first. On
 * failure the error is printed, the account freed, and the code returned. */
int xt_login(struct xt_conn *c, struct xt_account *a);
/* Returns 1 when the connection is up, after reconnecting if it was lost
 * and acct->retry_for allows; else 0 with c->error set. */
int xt_online(struct xt_conn *c);
/* After xt_confirm_all: waits up to ms for the error bounces that servers
 * send for messages to other domains after confirming them (XEP-less but
 * RFC 6120 8.3: remote-server-not-found, service-unavailable); returns
 * XT_EPARTIAL if any came, else 0. */
int xt_await_bounces(struct xt_conn *c, long ms);
/* Runs the connection while waiting up to ms for fd to be readable;
 * returns 1 if it is (or at EOF), else 0. */
int xt_poll_fd(struct xt_conn *c, int fd, int ms);
/* Whether xt_wait's rc means its own time ran out (the run's --timeout or
 * a --for reached), not a server that stopped answering. */
int xt_time_up(const struct xt_conn *c, int rc);
/* Runs the event loop for at most ms milliseconds (0: no wait). */
void xt_run(struct xt_conn *c, int ms);
/* Runs the loop until done(data) is true, the connection fails, or timeout
 * seconds pass (never past the run's --timeout, which then sets c->why);
 * returns 0, the connection's error, or XT_ETIMEOUT. */
int xt_wait(struct xt_conn *c, int (*done)(void *), void *data, long timeout);
/* Sends a stanza and tracks it until the server confirms it; label names it
 * in messages ("line 3"), NULL for stanzas nobody needs to hear about.
 * Blocks while too many are unconfirmed. Returns 0 or an exit code. */
int xt_send(struct xt_conn *c, xmpp_stanza_t *st, const char *label);
/* Asks the server to confirm what was sent so far (SM <r/> or a ping). */
void xt_request_ack(struct xt_conn *c);
/* Waits until the server confirmed everything sent, as long as it keeps
 * acknowledging (--confirm-timeout) and the run's --timeout allows; reports
 * those it did not confirm or rejected; returns 0, XT_EPARTIAL or the
 * connection's error. */
int xt_confirm_all(struct xt_conn *c);
/* Closes the stream cleanly and frees everything. */
void xt_close(struct xt_conn *c);
/* Returns a new unique stanza id. */
char *xt_new_id(struct xt_conn *c);
/* Sends an IQ and runs the loop until its answer; returns the answer (to be
 * released by the caller) or NULL with c->error set. */
xmpp_stanza_t *xt_iq(struct xt_conn *c, xmpp_stanza_t *iq, long timeout);
/* Answers ping and disco#info and refuses other IQ get/set; returns 1 if it
 * handled st. */
int xt_answer_iq(struct xt_conn *c, xmpp_stanza_t *st);
/* Returns an empty IQ result answering st (caller releases). */
xmpp_stanza_t *xt_iq_result(struct xt_conn *c, xmpp_stanza_t *st);
/* Returns 1 if st is a roster push we may trust (RFC 6121 2.1.6). */
int xt_is_roster_push(struct xt_conn *c, xmpp_stanza_t *st);
/* Returns the error condition name of an error stanza ("item-not-found"). */
const char *xt_error_condition(xmpp_stanza_t *st);
/* Returns the error's text, as the server wrote it (unescaped), or NULL. */
const char *xt_error_text(xmpp_stanza_t *st);
/* Records a failure on c unless one is already recorded; returns code. */
int xt_fail(struct xt_conn *c, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* track.c: stanzas sent but not yet confirmed, bounded. */
#define XT_WINDOW 2048
/* Remembers that stanza number seq, with id, was sent as label; text (the
 * stanza, NULL when it need not be sent again) is kept to resend it, and
 * remote (to another domain) keeps its id a while after confirmation for
 * late bounces. */
void xt_track_push(struct xt_conn *c, unsigned long seq, const char *id,
		   const char *label, const char *text, int remote);
/* Numbers the unconfirmed stanzas anew on a new session, from c->sent on,
 * handing each one's text to resend; returns how many were resent. */
unsigned long xt_track_resend(struct xt_conn *c,
			      void (*resend)(struct xt_conn *c, const char *text));
/* Forgets every stanza up to count, now confirmed. */
void xt_track_confirm(struct xt_conn *c, unsigned long count);
/* Marks the stanza with id as rejected with condition; 1 if it was ours. */
int xt_track_reject(struct xt_conn *c, const char *id, const char *cond);
/* Returns how many stanzas the server bounced so far. */
unsigned long xt_track_rejected(struct xt_conn *c);
/* Returns the number of rejected stanzas; reports the unconfirmed ones. */
int xt_track_report(struct xt_conn *c);
/* Frees the tracking state. */
void xt_track_free(struct xt_conn *c);
/* Returns how many stanzas are being tracked. */
size_t xt_track_len(struct xt_conn *c);

/* A message to send, however it was given (-m, a line, a JSON object). */
struct xt_msg {
	const char *to[64];  /* from JSON "to"; else the command line's */
	size_t nto;
	const char *type, *body, *subject, *thread, *id, *lang, *url;
	int receipt;          /* ask for a XEP-0184 receipt */
	int no_store;         /* XEP-0334 no-store hint */
	void *hold;           /* what the strings point into */
};

/* json.c: stanzas as JSON objects, one per line (schema: xmpp-tools(7)). */
struct xt_json_opts {
	int full;             /* add "xml" */
	const char *carbon;   /* "sent" or "received" for an unwrapped carbon */
	int archived;         /* from MAM */
	const char *archive_id;
};
/* Returns a JSON line (malloc'd, no newline) describing st. */
char *xt_stanza_to_json(xmpp_stanza_t *st, const struct xt_json_opts *o);
/* Returns a presence as a JSON line, the one shape both xmpp-listen and
 * xmpp-presence print: kind, type (available when the stanza has none),
 * id, from, to, lang, jid (bare), resource, show, status, priority, idle,
 * caps, delay, error, muc (o may be NULL). With st NULL: jid unavailable,
 * {"kind":"presence","type":"unavailable","from":jid,"jid":jid}. */
char *xt_presence_to_json(xmpp_stanza_t *st, const char *jid, const struct xt_json_opts *o);
/* Prints s as a JSON string (quoted, escaped) on stdout; null if s is not
 * valid UTF-8. */
void xt_print_json_string(const char *s);
/* Parses a JSON line into m; returns 0, or -1 with why naming the field. */
int xt_json_to_msg(const char *line, size_t len, struct xt_msg *m, char *why,
		   size_t whylen);
/* Frees what xt_json_to_msg kept. */
void xt_msg_free(struct xt_msg *m);
/* Checks a message's fields (text, JIDs, type); returns NULL or why not. */
const char *xt_msg_check(const struct xt_msg *m);
/* The message types a tool sends, as its errors list them. */
#define XT_MSG_TYPES "chat, normal, headline or groupchat"
/* Returns 1 if type is one of XT_MSG_TYPES, else 0. */
int xt_msg_type_ok(const char *type);
/* -t/--type TYPE of every tool that sends messages (xmpp-send,
 * xmpp-sendfile): one letter, one meaning, one list of values. */
#define XT_MSG_TYPE_OPT \
	{ 't', "type", "TYPE", "chat (default), normal, headline or groupchat" }
/* Exits XT_EUSAGE naming XT_MSG_TYPES unless type is one of them; hint,
 * if not NULL, says what the user may have meant. */
void xt_msg_type_option(const struct xt_tool *t, const char *type,
			const char *hint);
/* --encrypt METHOD of every tool that sends messages (xmpp-send,
 * xmpp-sendfile): one name, one meaning, what help says of it aside. */
#define XT_ENCRYPT_OPT(id, help) { (id), "encrypt", "omemo", (help) }
/* 0 if method is one --encrypt knows (omemo), else XT_EUSAGE printed. */
int xt_encrypt_option(const char *method);

/* xmlin.c: raw stanzas read from a stream of XML. */
struct xt_xmlin;
/* Returns a reader of top-level elements. */
struct xt_xmlin *xt_xmlin_new(xmpp_ctx_t *ctx);
/* Feeds bytes; returns 0, or -1 with a message in why. */
int xt_xmlin_feed(struct xt_xmlin *x, const char *buf, size_t len, int final,
		  char *why, size_t whylen);
/* Returns the next complete stanza (caller releases), or NULL; *line is set
 * to the line it started on. */
xmpp_stanza_t *xt_xmlin_next(struct xt_xmlin *x, unsigned long *line);
/* Frees the reader. */
void xt_xmlin_free(struct xt_xmlin *x);

/* stanza.c: building stanzas. */
/* Returns a new message stanza with to, type and a fresh id and origin-id. */
xmpp_stanza_t *xt_message_new(struct xt_conn *c, const char *to,
			      const char *type);
/* Returns the message stanza for m addressed to to. */
xmpp_stanza_t *xt_msg_stanza(struct xt_conn *c, const struct xt_msg *m,
			     const char *to);
/* Acknowledges msg with a XEP-0184 receipt, if it asked for one. */
void xt_send_receipt(struct xt_conn *c, xmpp_stanza_t *msg);
/* Adds <name>text</name> (e.g. body) to st. */
void xt_add_text_child(xmpp_stanza_t *st, const char *name, const char *text);
/* Adds <name xmlns=ns/> to st and returns it (owned by st). */
xmpp_stanza_t *xt_add_child_ns(xmpp_stanza_t *st, const char *name,
			       const char *ns);
/* Adds <name>base64 of data</name> to st and returns it (owned by st). */
xmpp_stanza_t *xt_add_b64_child(xmpp_stanza_t *st, const char *name,
				const unsigned char *data, size_t len);
/* Adds a data form field <field var type><value/></field> (type may be
 * NULL) to form. */
void xt_add_form_field(xmpp_stanza_t *form, const char *var, const char *value,
		       const char *type);
/* Returns the text of child name of st (malloc'd by libstrophe), or NULL. */
char *xt_child_text(xmpp_stanza_t *st, const char *name);
/* Joins a MUC room as nick; waits for the server's answer. Returns 0 or an
 * exit code, the failure recorded on c (xt_fail), not printed: the tool
 * prints c->why once. history: stanzas of history to ask for (0: none). */
int xt_muc_join(struct xt_conn *c, const char *room, const char *nick,
		const char *password, int history);
/* muc.c: the rooms a tool joins (--muc, --nick, --muc-password-file). */
#define XT_MAX_ROOMS 16
struct xt_rooms {
	const char *jid[XT_MAX_ROOMS];
	size_t n;
	const char *nick;          /* default: the account's localpart */
	const char *password_file;
};
enum { XT_O_MUC = 900, XT_O_NICK, XT_O_MUC_PW };
/* The three options' table entries; what says what --muc does. */
#define XT_ROOM_OPTS(what) \
	{ XT_O_MUC, "muc", "ROOM", what }, \
	{ XT_O_NICK, "nick", "NICK", "nickname in rooms (default: the account's localpart)" }, \
	{ XT_O_MUC_PW, "muc-password-file", "FILE", "read the room password from FILE" }
/* Takes one of the three options; returns 1 if id was one of them, else 0.
 * Exits with XT_EUSAGE on a room that is not a bare JID. */
int xt_rooms_option(struct xt_rooms *r, int id, const char *arg);
/* Joins every room; returns 0 or an exit code, recorded as xt_muc_join
 * does (a room password file that cannot be used is printed at once, with
 * nothing recorded). history: stanzas of history to ask for. */
int xt_rooms_join(struct xt_conn *c, const struct xt_rooms *r, int history);
/* An on_reconnect for senders: joins the rooms (a struct xt_rooms *) again,
 * so that what is sent again reaches them. */
int xt_rooms_rejoin(struct xt_conn *c, void *rooms);
/* From now on, each groupchat message xt_send sends to a room joined on c
 * is confirmed by its reflection (XEP-0045 7.4): the room sends it back
 * from our own occupant JID, ROOM/NICK, with its id or origin-id. It is
 * not waited for as a message to another domain (xt_await_bounces). */
void xt_rooms_await_reflections(struct xt_conn *c);
/* After xt_confirm_all: waits for the reflections still awaited, as long
 * as the rooms keep answering (--confirm-timeout) and the run's --timeout
 * allows; names the messages not reflected. Returns 0, or XT_EPARTIAL when
 * a room refused one or did not send one back. */
int xt_rooms_confirm(struct xt_conn *c);
/* For conn.c. Awaits st's reflection if it is a room message to await;
 * returns 1 if so. */
int xt_muc_await(struct xt_conn *c, xmpp_stanza_t *st, const char *label);
/* Takes a reflection of, or a room's error to, an awaited message (a room
 * refusal is reported at once); returns 1 if st was handled. */
int xt_muc_answer(struct xt_conn *c, xmpp_stanza_t *st);
/* Before a send: waits while XT_WINDOW room messages await their
 * reflection; returns 0 or an exit code, recorded on c. */
int xt_muc_window(struct xt_conn *c);
/* Frees what c knows of its rooms (xt_close). */
void xt_muc_free(struct xt_conn *c);
/* roster.c: RFC 6121 rosters. */
struct xt_roster_item {
	char *jid, *name, *subscription, *ask;
	char **groups;
	size_t ngroups;
};
struct xt_roster {
	struct xt_roster_item *items;
	size_t n;
};
/* Fetches the roster; returns 0 or an exit code (error printed). */
int xt_roster_get(struct xt_conn *c, struct xt_roster *r);
/* Asks for the roster (which makes the server send pushes and presence
 * to this resource), then hands incoming stanzas to on_stanza. */
int xt_roster_follow(struct xt_conn *c, xt_stanza_cb on_stanza, void *data);
/* Returns the item for jid, or NULL. */
struct xt_roster_item *xt_roster_find(const struct xt_roster *r, const char *jid);
/* Adds or updates an item (name, groups); waits for the server's answer. */
int xt_roster_set(struct xt_conn *c, const struct xt_roster_item *it);
/* Removes jid from the roster; waits for the server's answer. */
int xt_roster_remove(struct xt_conn *c, const char *jid);
/* Reads an <item/> of a roster result or push into it. */
void xt_roster_item_from_stanza(xmpp_stanza_t *item, struct xt_roster_item *it);
/* Returns the item as a JSON line (malloc'd): jid, name, subscription, ask,
 * groups. */
char *xt_roster_item_to_json(const struct xt_roster_item *it);
/* Parses a JSON line into it (jid, name, groups; subscription and ask, as
 * export writes them, are read and ignored); -1 with why on bad input, -2
 * when the input is no JSON lines at all (pretty-printed, or an array). */
int xt_roster_item_from_json(const char *line, size_t len,
			     struct xt_roster_item *it, char *why, size_t whylen);
/* Returns 1 when a and b have the same name and groups. */
int xt_roster_item_same(const struct xt_roster_item *a,
			const struct xt_roster_item *b);
/* Frees an item's fields / a whole roster. */
void xt_roster_item_free(struct xt_roster_item *it);
void xt_roster_free(struct xt_roster *r);

/* cert.c: certificates, as the client tools and xmpp-s2s-probe check them. */
#define XT_FP_LEN 52 /* "sha256:" and 44 characters of base64, with the NUL */
struct xt_cert_ids {  /* the identities a certificate holds */
	char **dns, **srv, **xmpp; /* DNS-IDs, SRV-IDs, XmppAddrs */
	size_t ndns, nsrv, nxmpp;
	char *cn;          /* the subject's CN */
	int san;           /* any SAN identity: then the CN does not count */
};
struct xt_tlsa {      /* one TLSA record (RFC 6698) */
	int usage, selector, matching_type;
	unsigned char *data;
	size_t len;
};
/* Parses a PEM certificate; NULL if it is not one. */
X509 *xt_cert_from_pem(const char *pem);
void xt_cert_ids(X509 *x, struct xt_cert_ids *ids);
void xt_cert_ids_free(struct xt_cert_ids *ids);
/* Returns 1 if a DNS-ID (wildcard allowed as a whole left label) matches. */
int xt_dns_id_match(const char *pattern, const char *name);
/* RFC 6125 as RFC 6120 13.7.2 uses it: which identity covers domain for
 * service ("xmpp-server", "xmpp-client"): "dns-id", "srv-id", "xmppaddr",
 * "cn", or NULL. */
const char *xt_cert_identity(const struct xt_cert_ids *ids, const char *domain,
			     const char *service);
/* Lists the names, "a.example, SRV:_xmpp-server.b, xmpp:c", for messages. */
void xt_cert_names(const struct xt_cert_ids *ids, char *buf, size_t len);
/* Fingerprints, in the one format every tool prints them in (as OpenSSH
 * does, and as --pin takes a key's): "sha256:" and the base64 of the
 * SHA-256; "" if it cannot be computed. Of the whole certificate (DER),
 * and of its public key (SPKI, what --pin names). */
void xt_cert_fingerprint(X509 *x, char out[XT_FP_LEN]);
void xt_cert_key_fingerprint(X509 *x, char out[XT_FP_LEN]);
#define XT_SPKI_HEX_LEN 65
/* The SHA-256 of the public key (SPKI) in lower-case hex, as a TLSA 3 1 1 record holds it; -1 if the
 * key cannot be read. */
int xt_cert_spki_sha256_hex(X509 *x, char out[XT_SPKI_HEX_LEN]);
void xt_cert_time(const ASN1_TIME *t, char out[32]);
/* Days until the certificate expires (negative: expired). */
int xt_cert_days_left(X509 *x);
/* "RSA 2048", "EC 256 (prime256v1)"; *weak when too short. */
void xt_cert_key(X509 *x, char *buf, size_t len, int *weak);
/* The signature algorithm's name; *weak for MD5 or SHA-1. */
const char *xt_cert_signature(X509 *x, int *weak);
/* Verifies leaf with the certificates the server sent against store (times
 * not checked); returns an X509_V_ERR_* code, and on failure the depth and
 * the certificate it failed at (to be freed). */
int xt_cert_verify(X509_STORE *store, X509 *leaf, STACK_OF(X509) *sent,
		   int *depth, X509 **failed);
/* The CA Issuers URL of the Authority Information Access, malloc'd, or NULL. */
char *xt_cert_aia_issuer_url(X509 *x);
/* Returns 1 if the TLSA record matches the server's chain (RFC 6698 2.1);
 * PKIX usages also need pkix_ok. */
int xt_tlsa_match(const struct xt_tlsa *t, X509 *leaf, STACK_OF(X509) *chain,
		  int pkix_ok);

/* dns.c: DNS through libunbound, DNSSEC-validated when given an anchor. */
struct xt_dns;
enum { XT_DNS_OK, XT_DNS_NXDOMAIN, XT_DNS_NODATA, XT_DNS_FAIL, XT_DNS_TIMEOUT };
enum { XT_RR_A = 1, XT_RR_NS = 2, XT_RR_CNAME = 5, XT_RR_AAAA = 28, XT_RR_SRV = 33, XT_RR_TLSA = 52 };
struct xt_dns_rr {
	unsigned char *data; /* RDATA, wire format */
	size_t len;
};
struct xt_dns_answer {
	int status;          /* XT_DNS_* */
	int secure, bogus;   /* DNSSEC */
	char why[300];       /* for XT_DNS_FAIL and XT_DNS_TIMEOUT */
	char *canon;         /* the name CNAMEs led to, if any */
	struct xt_dns_rr *rr;
	size_t n;
};
struct xt_srv {
	char *target;        /* "." : the service is declared unavailable */
	unsigned port, priority, weight;
	int direct_tls;      /* from _xmpps-* (XEP-0368) */
};
/* A resolver using server ("HOST[:PORT]", NULL: /etc/resolv.conf) and the
 * DNSSEC trust anchors in the file anchor (NULL: no validation); every
 * query waits at most timeout seconds. NULL with why on failure. */
struct xt_dns *xt_dns_new(const char *server, const char *anchor, long timeout,
			  char *why, size_t whylen);
void xt_dns_free(struct xt_dns *d);
/* Looks name up; returns a->status. */
#define XT_DNS_MAX_QUERIES 8
/* Looks n (at most XT_DNS_MAX_QUERIES) names up at once. */
void xt_dns_queries(struct xt_dns *d, const char *const *names,
		    const int *types, struct xt_dns_answer *a, size_t n);
int xt_dns_query(struct xt_dns *d, const char *name, int type,
		 struct xt_dns_answer *a);
void xt_dns_answer_free(struct xt_dns_answer *a);
/* Parses an SRV or TLSA RDATA; -1 if malformed. */
int xt_dns_srv(const struct xt_dns_rr *rr, struct xt_srv *s);
int xt_dns_tlsa(const struct xt_dns_rr *rr, struct xt_tlsa *t);

/* s2s.c: a server-to-server stream, opened as a peer server would. */
struct xt_s2s {
	int fd;
	SSL *ssl;
	struct XML_ParserStruct *xp;
	const char *to, *from;   /* the stream's to and from (NULL: none) */
	long timeout_ms;         /* for every step */
	const char *label;       /* prefix of -v lines */
	/* what the server sent */
	int header;              /* the stream header */
	char stream_id[128], stream_from[256], stream_version[16];
	char got[32];            /* the last complete top-level element */
	unsigned ngot;
	int features_seen;       /* <stream:features/> complete */
	int starttls, starttls_required, dialback, sasl; /* stream features */
	char mechs[256];         /* SASL mechanisms, space-separated */
	char condition[64];      /* of a stream error or a <failure/> */
	char error_text[256];
	int closed, timed_out, bad;
	/* what went wrong */
	char why[400];
	/* parser state */
	int depth;
	char current[32];
	char *collect;
	size_t collect_len, bytes_in;
};
/* Sets up s; strings are borrowed. */
void xt_s2s_init(struct xt_s2s *s, const char *to, const char *from,
		 long timeout_ms, const char *label);
/* Each returns 0, or -1 with s->why: TCP connect (time in *ms); open the
 * stream and read its features; STARTTLS and the handshake; a TLS handshake
 * on the socket as it is (direct TLS; alpn may be NULL). */
int xt_s2s_connect(struct xt_s2s *s, const struct sockaddr *sa, socklen_t len,
		   double *ms);
int xt_s2s_open(struct xt_s2s *s);
int xt_s2s_starttls(struct xt_s2s *s, SSL_CTX *ctx, const char *sni, double *ms);
int xt_s2s_handshake(struct xt_s2s *s, SSL_CTX *ctx, const char *sni,
		     const char *alpn, double *ms);
/* Authenticates as s->from with SASL EXTERNAL: 0 success, 1 the server
 * refused (s->condition says why), -1 error. */
int xt_s2s_auth_external(struct xt_s2s *s);
/* Writes raw XML. */
int xt_s2s_write(struct xt_s2s *s, const char *xml);
/* Ends the stream (briefly waiting) and frees everything. */
void xt_s2s_close(struct xt_s2s *s);
void xt_s2s_free(struct xt_s2s *s);

/* mixup.c: what a port speaks, asked on a connection of its own that
 * waits at most timeout_ms and sends nothing secret. */
/* 1 if host:port answers a TLS ClientHello for sni with a ServerHello or a
 * TLS alert (direct TLS). */
int xt_port_speaks_tls(const char *host, unsigned port, const char *sni, long timeout_ms);
/* 1 if host:port answers a client stream header for domain in plain XML
 * (a STARTTLS port). */
int xt_port_speaks_xmpp(const char *host, unsigned port, const char *domain,
			long timeout_ms);

/* probe.c: the federation checks of xmpp-s2s-probe, one domain at a time. */
#define XT_TLS_VERSIONS 4 /* 1.0, 1.1, 1.2, 1.3 */
struct json_t;
struct xt_probe_opts {
	SSL_CTX *tls;            /* the default context, with the trust store */
	SSL_CTX *versions[XT_TLS_VERSIONS]; /* one version each; NULL: skip */
	const char *from;        /* the stream's from, or NULL */
	int auth;                /* try SASL EXTERNAL as from */
	const char *connect_host; /* --connect: probe this instead of DNS targets */
	unsigned connect_port;
	int connect_direct_tls;
	int family;              /* 0, AF_INET or AF_INET6 */
	long timeout;            /* seconds, for every step */
	int warn_days;
	int c2s;                 /* also check the client SRV records */
	int dnssec;              /* answers are validated (a trust anchor) */
};
/* Probes domain; returns its report (see xmpp-s2s-probe(1)). *dns_failed
 * is set when the resolver gave no usable answer. */
struct json_t *xt_probe(const struct xt_probe_opts *o, struct xt_dns *dns,
			const char *domain, int *dns_failed);
/* A client TLS context: version -1 for the default one, trusting cafile /
 * capath (else the system's) and presenting cert/key if given; else one
 * that offers only that version (index into 1.0 .. 1.3). NULL with why. */
SSL_CTX *xt_probe_tls_ctx(int version, const char *cafile, const char *capath,
			  const char *cert, const char *key, char *why, size_t whylen);

/* upload.c: HTTP File Upload (XEP-0363), XEP-0454 encryption. */
struct xt_upload_service {
	char *jid;
	unsigned long long max_size; /* 0: the service states no limit */
};
struct xt_slot {
	char *put, *get;
	char *headers[3];     /* "Name: value", only those XEP-0363 allows */
	size_t nheaders;
	char *pin;            /* "host:port:addr,..." the PUT's host was checked
			       * at (CURLOPT_RESOLVE), or NULL */
};
struct xt_upload {
	FILE *file;           /* seekable, read from its start */
	const char *filename; /* as announced and in messages */
	unsigned long long size;
	const char *content_type;
	int encrypt;          /* AES-256-GCM with key and iv */
	unsigned char key[32], iv[12];
	int progress;         /* a bar on stderr */
	int retries;
	const char *const *resolve; /* curl's HOST:PORT:ADDRESS overrides */
	int nresolve;
};
/* Finds the upload service among the server and its items; returns 0 or an
 * exit code (error printed). */
int xt_upload_find(struct xt_conn *c, struct xt_upload_service *u);
/* The same, printing nothing: 1 if found, else 0 (c->error set if the
 * connection failed meanwhile). */
int xt_upload_lookup(struct xt_conn *c, struct xt_upload_service *u);
/* Asks to for its disco#info or #items (ns); returns the result (caller
 * releases), or NULL for an error answer or none (c->error then set). */
xmpp_stanza_t *xt_disco(struct xt_conn *c, const char *to, const char *ns);
void xt_upload_service_free(struct xt_upload_service *u);
/* Requests a slot for up's file and checks it: absolute https URLs, and a
 * PUT host on a private, loopback or link-local address only when the XMPP
 * server is on the same kind. Returns 0 or an exit code (error printed). */
int xt_upload_slot(struct xt_conn *c, const struct xt_upload_service *u,
		   const struct xt_upload *up, struct xt_slot *s);
void xt_slot_free(struct xt_slot *s);
/* PUTs the file to the slot, streamed, encrypted if asked, retried up to
 * up->retries times; fills the plaintext's SHA-256. Returns 0 or an exit
 * code (error printed). */
int xt_upload_put(const struct xt_upload *up, const struct xt_slot *s,
		  const struct xt_account *a, char sha256_hex[65]);
/* Draws a fresh key and IV; returns 0, or -1 without randomness. */
int xt_upload_new_key(struct xt_upload *up);
/* Returns the aesgcm:// URL for a GET URL, key and IV in the fragment. */
char *xt_upload_aesgcm_url(const struct xt_upload *up, const char *get);
/* Returns a MIME type for a file name's extension. */
const char *xt_guess_content_type(const char *name);

/* mam.c */
/* Turns "2026-01-31T12:00:00Z", "2026-01-31" or "2h" (ago; s, m, h, d) into
 * a XEP-0082 timestamp; returns 0, or -1 if s is none of those. */
int xt_parse_since(const char *s, char *out, size_t outlen);
/* Asks archive (NULL: the account's own) for everything since start (NULL:
 * from the beginning) and after the archive id after_id (NULL: none), page
 * by page; the messages reach c->on_stanza. Returns 0 or an exit code,
 * the failure recorded on c (xt_fail), not printed. */
int xt_mam_fetch(struct xt_conn *c, const char *archive, const char *start,
		 const char *after_id);
/* Returns the <result/> of msg when it answers the archive query open on
 * c, from the archive asked; else NULL, with *why set if msg holds a
 * result all the same (another user's forgery: msg is then an ordinary
 * message from its sender). */
xmpp_stanza_t *xt_mam_result(struct xt_conn *c, xmpp_stanza_t *msg,
			     const char **why);

/* seen.c: keys recently seen (ids of printed messages), bounded: the
 * last 8192 to 16384 are remembered. */
struct xt_seen;
/* Returns 1 if key was seen before; else remembers it and returns 0. */
int xt_seen(struct xt_seen **s, const char *key);
void xt_seen_free(struct xt_seen **s);
/* Sends initial presence at priority -1 and waits until the server has
 * answered it (contacts' presence, pending requests); 0 or an exit code. */
int xt_go_online_quietly(struct xt_conn *c);
/* Sends initial presence at priority prio: negative, the server gives
 * this session no message sent to the bare JID and keeps offline ones. */
void xt_send_presence(struct xt_conn *c, int prio);

/* io.c */
/* Lines read from a descriptor without blocking the connection. */
struct xt_lines {
	int fd;
	size_t max;           /* the longest line returned whole; 0: XT_MAX_LINE */
	char *buf;
	size_t len, cap, off;
	unsigned long lineno; /* of the last line returned */
	int eof;
	int skipping;         /* dropping the rest of a too long line */
};
#define XT_MAX_LINE (1024 * 1024)
/* A password's first line is shorter than this. */
#define XT_MAX_SECRET 4096
/* Reads what fd has (one read); returns 0, or -1 on a read error. */
int xt_lines_fill(struct xt_lines *l);
/* Returns the next complete line (NUL-terminated in place, without the
 * newline) and its length, or NULL; at EOF the last unterminated line too.
 * A line over the limit (max, not counting the newline
 * and a carriage return before it) is returned as its
 * first max bytes with *toolong set, once; the rest of it, to its newline,
 * is dropped as it arrives, never returned as a line. */
char *xt_lines_next(struct xt_lines *l, size_t *len, int *toolong);
/* Frees the buffer. */
void xt_lines_free(struct xt_lines *l);
/* Reads the whole of fd into a malloc'd buffer; returns its length or -1. */
long xt_read_all(int fd, char **out);
/* The same, but reads no more than max bytes and one: returns -2 (nothing
 * in *out) when fd holds more than max, so that memory stays bounded. */
long xt_read_at_most(int fd, size_t max, char **out);
/* Reads the first line of a file into a malloc'd string without the newline
 * (shorter than XT_MAX_SECRET, else EFBIG), wiping what it read; NULL with
 * errno on failure. */
char *xt_read_line_file(const char *path);
/* Runs cmd with sh -c, as a shell would (xt_spawn_shell), and returns its
 * first line of output (as xt_read_line_file), or NULL. */
char *xt_read_line_cmd(const char *cmd);
/* Moves secret s (malloc'd, then wiped and freed) into memory of its own,
 * locked where the limits allow, left out of core files and zeroed in
 * forked children; returns it, for xt_secret_drop. */
char *xt_secret_keep(char *s);
/* Wipes and unmaps what xt_secret_keep returned. */
void xt_secret_drop(char *k);
/* Wipes and frees a secret. */
void xt_free_secret(char *s);

/* omemo-store.c: an account's OMEMO state, $XDG_STATE_HOME/xmpp-tools/
 * ACCOUNT/omemo.json, locked from open to close. Sections ("pre_keys",
 * "sessions", "identities", ...) map names to binary values. */
struct xt_omemo_store;
/* Makes and checks the private directory, takes the lock (waiting for
 * another process to let go), reads the state: a missing file is an empty
 * state when create is not 0, else an error saying to run xmpp-keys init.
 * Returns 0, or XT_ECONFIG with the error printed. */
int xt_omemo_store_open(const char *jid, int create, struct xt_omemo_store **s);
const char *xt_omemo_store_path(const struct xt_omemo_store *s);
/* Writes the state whole to a temporary file, then renames it over the old
 * one; 0, or XT_EIO printed. */
int xt_omemo_store_save(struct xt_omemo_store *s);
/* Drops the lock and frees s, unsaved changes too. */
void xt_omemo_store_close(struct xt_omemo_store *s);
long long xt_omemo_store_int(const struct xt_omemo_store *s, const char *name);
void xt_omemo_store_set_int(struct xt_omemo_store *s, const char *name, long long v);
/* sec's value for key, malloc'd into *data; 0, or -1 if there is none (or
 * it is not base64: then the corruption is printed). */
int xt_omemo_store_get(struct xt_omemo_store *s, const char *sec, const char *key,
		       unsigned char **data, size_t *len);
int xt_omemo_store_has(struct xt_omemo_store *s, const char *sec, const char *key);
/* Sets sec's value for key; a NULL data removes it. */
void xt_omemo_store_put(struct xt_omemo_store *s, const char *sec, const char *key,
			const unsigned char *data, size_t len);
/* Calls each (if not NULL) for every key of sec starting with prefix;
 * returns how many there are. */
size_t xt_omemo_store_keys(struct xt_omemo_store *s, const char *sec, const char *prefix,
			   void (*each)(const char *key, void *data), void *data);
/* Base64 (RFC 4648, padded) of len bytes, malloc'd. */
char *xt_b64_encode(const unsigned char *data, size_t len);
/* Decodes b64 into *data (malloc'd); 0, or -1 if it is not base64. */
int xt_b64_decode(const char *b64, unsigned char **data, size_t *len);

/* omemo.c: OMEMO in its deployed legacy form (XEP-0384 0.3,
 * eu.siacs.conversations.axolotl) over libomemo-c, OpenSSL doing its
 * crypto. One device per account. */
#define XT_NS_OMEMO "eu.siacs.conversations.axolotl"
#define XT_NS_OMEMO_DEVICES XT_NS_OMEMO ".devicelist"
#define XT_NS_OMEMO_BUNDLES XT_NS_OMEMO ".bundles"
#define XT_OMEMO_PRE_KEYS 100
struct xt_omemo;
/* Opens the account's state (xt_omemo_store_open); with create 1, makes the
 * device when there is none (with -1, a missing state is no device, and
 * xt_omemo_device_id 0): identity key pair, device id, a signed
 * pre-key and XT_OMEMO_PRE_KEYS pre-keys, saved at once. 0 or an exit code,
 * printed. */
int xt_omemo_open(const char *jid, int create, struct xt_omemo **o);
/* Saves the state (xt_omemo_store_save); 0 or XT_EIO printed. */
int xt_omemo_save(struct xt_omemo *o);
void xt_omemo_close(struct xt_omemo *o);
unsigned long xt_omemo_device_id(const struct xt_omemo *o);
/* The fingerprint of an identity key as the clients show it: the
 * Curve25519 key in lowercase hex, groups of 8 (malloc'd); key is the
 * 33-byte serialisation (type byte 5) or the bare 32 bytes. NULL if it is
 * neither. */
char *xt_omemo_fingerprint(const unsigned char *key, size_t len);
/* Our own device's fingerprint (malloc'd). */
char *xt_omemo_own_fingerprint(struct xt_omemo *o);
/* libomemo-c's signal_context and signal_protocol_store_context of o. */
void *xt_omemo_signal_context(struct xt_omemo *o);
void *xt_omemo_store_context(struct xt_omemo *o);
/* omemo-crypto.c: the signal_crypto_provider over OpenSSL. */
const void *xt_omemo_crypto_provider(void);
/* AES-128-GCM of len bytes from in to out (enc 1) or back (enc 0), the
 * tag apart: made when encrypting, checked when decrypting; 0 or -1. */
int xt_aes_gcm(int enc, const unsigned char key[16], const unsigned char iv[12],
	       const unsigned char *in, size_t len, unsigned char *out, unsigned char tag[16]);
/* Our <bundle/> (XEP-0384 0.3 4.3), for the pubsub item. */
xmpp_stanza_t *xt_omemo_bundle(struct xt_omemo *o, xmpp_ctx_t *ctx);

/* A peer's bundle as parsed from its <bundle/>. */
struct xt_omemo_bundle {
	unsigned char *identity, *spk, *spk_sig;
	size_t identity_len, spk_len, spk_sig_len;
	unsigned long spk_id;
	size_t npre;
	unsigned long pre_ids[XT_OMEMO_PRE_KEYS * 2];
	unsigned char *pre[XT_OMEMO_PRE_KEYS * 2];
	size_t pre_len[XT_OMEMO_PRE_KEYS * 2];
};
/* Parses a <bundle xmlns='eu.siacs.conversations.axolotl'/> that a peer
 * published (peer-controlled: every field checked); 0, or -1 with why set. */
int xt_omemo_parse_bundle(xmpp_stanza_t *bundle, struct xt_omemo_bundle *b,
			  char *why, size_t len);
void xt_omemo_bundle_free(struct xt_omemo_bundle *b);
/* Parses a <list xmlns='eu.siacs.conversations.axolotl'/> into *ids
 * (malloc'd, duplicates and ids out of range left out); returns the count. */
size_t xt_omemo_parse_devices(xmpp_stanza_t *list, unsigned long **ids);
/* Whether id is among the n ids of a device list. */
int xt_omemo_listed(const unsigned long *ids, size_t n, unsigned long id);

/* omemo-send.c: m (its body) to to, encrypted for every device of to's
 * and our own other devices, with the fallback body and hints (XEP-0334
 * store, XEP-0380); opens *o the first time (the state must exist). The
 * state is saved before *out is returned. Fails closed: 0 with *out, or an
 * exit code printed (XT_ENOKEY: to has no device we can encrypt for) and
 * no stanza. */
int xt_omemo_msg_stanza(struct xt_conn *c, struct xt_omemo **o, const struct xt_msg *m,
			const char *to, xmpp_stanza_t **out);
/* Whether xt_omemo_msg_stanza can encrypt for to, asked before anything
 * that must not happen otherwise (xmpp-sendfile's upload): builds the
 * sessions with to's devices (opening *o as it does); 0, else the exit
 * code it would give, printed the same way. */
int xt_omemo_check_recipient(struct xt_conn *c, struct xt_omemo **o, const char *to);

/* omemo-pep.c: device lists and bundles over PEP (XEP-0163). */
/* Fetches jid's device list (own when jid is NULL) into *ids; returns 0 (a
 * missing node is an empty list), XT_ENOKEY when it is refused (Prosody
 * says forbidden for a node it hides), or the connection's exit code, with
 * c->why set. */
int xt_omemo_fetch_devices(struct xt_conn *c, const char *jid, unsigned long **ids,
			   size_t *n);
/* Fetches and parses jid's bundle for device id; 0, or an exit code with
 * c->why set (XT_ENOKEY when there is none or it is not usable). */
int xt_omemo_fetch_bundle(struct xt_conn *c, const char *jid, unsigned long id,
			  struct xt_omemo_bundle *b);
/* Publishes our bundle and adds our device to our device list (keeping
 * the devices already listed), both nodes with the open access model;
 * 0 or an exit code, printed. */
int xt_omemo_publish(struct xt_conn *c, struct xt_omemo *o);

#endif
