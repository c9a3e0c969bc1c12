/* xmpp-sendfile - upload files (XEP-0363) and send their links */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xt.h"

enum { O_NAME = 256, O_CONTENT_TYPE, O_AESGCM, O_ENCRYPT, O_NO_SEND, O_JSON,
       O_RETRY, O_RESOLVE, O_TIMEOUT };

static const struct xt_opt opts[] = {
	{ O_NAME, "name", "NAME", "file name to announce (default: the file's; \"stdin\" for -)" },
	{ O_CONTENT_TYPE, "content-type", "TYPE", "the file's Content-Type (default: guessed from the name)" },
	XT_MSG_TYPE_OPT,
	{ O_AESGCM, "aesgcm", NULL, "AES-256-GCM encrypt; send an aesgcm:// link (XEP-0454)" },
	XT_ENCRYPT_OPT(O_ENCRYPT, "send the links end to end encrypted (OMEMO; implies --aesgcm)"),
	{ O_NO_SEND, "no-send", NULL, "only upload and print the links" },
	{ O_JSON, "json", NULL, "print {file, url, size, sha256, content_type} per file" },
	XT_ROOM_OPTS("send the links to the room ROOM (repeatable)"),
	{ O_RETRY, "retry", "N", "retry a failed upload N times (0)" },
	{ O_RESOLVE, "resolve", "HOST:PORT:ADDR", "reach the upload HOST:PORT at ADDR (as curl)" },
	{ O_TIMEOUT, "timeout", "S", "end the whole run after S seconds (default: no limit)" },
	{ 0, NULL, NULL, NULL },
};

struct sendfile {
	const char *name, *content_type;
	const char *msg_type;     /* of the link messages to JIDs; NULL: chat */
	int aesgcm, no_send, json;
	int encrypt;              /* --encrypt omemo: the link messages */
	struct xt_omemo *omemo;   /* its state, opened to check the recipients */
	struct xt_rooms rooms;
	long retries;
	const char *resolve[16];
	int nresolve;
	char **files, **rcpt;
	size_t nfiles, nrcpt;
	struct xt_conn conn;
	struct xt_upload_service svc;
};

static struct sendfile F = { 0 };

static int
option(int id, const char *arg, void *data)
{
	struct sendfile *f = data;

	if (xt_rooms_option(&f->rooms, id, arg))
		return 0;
	switch (id) {
	case O_NAME: f->name = arg; break;
	case O_CONTENT_TYPE: f->content_type = arg; break;
	case 't': f->msg_type = arg; break;
	case O_AESGCM: f->aesgcm = 1; break;
	case O_ENCRYPT:
		/* XEP-0454: the key goes in the link, so the file is encrypted too */
		f->encrypt = f->aesgcm = 1;
		return xt_encrypt_option(arg);
	case O_NO_SEND: f->no_send = 1; break;
	case O_JSON: f->json = 1; break;
	case O_RETRY:
		if ((f->retries = xt_parse_number(arg, 100)) < 0)
			return xt_error(XT_EUSAGE, "--retry wants a count, got '%s'", arg);
		break;
	case O_RESOLVE:
		if (f->nresolve == 16 || !strchr(arg, ':'))
			return xt_error(XT_EUSAGE, "--resolve wants HOST:PORT:ADDRESS, got '%s'", arg);
		f->resolve[f->nresolve++] = arg;
		break;
	case O_TIMEOUT:
		return xt_deadline_option(arg);
	}
	return 0;
}

static const struct xt_tool tool = {
	.name = "xmpp-sendfile",
	.synopsis = "[options] FILE... JID...\n"
		    "[options] --muc ROOM FILE...\n"
		    "[options] --no-send [--json] FILE...",
	.summary = "Upload files to the account's server (XEP-0363) and send their links.",
	.opts = opts,
	.option = option,
	.data = &F,
};

/* What --encrypt omemo cannot do, before any file is looked at. */
static void
check_encrypt(const struct sendfile *f)
{
	if (f->encrypt && f->no_send)
		xt_usage(&tool, "--encrypt omemo encrypts the messages with the links and "
			 "--no-send sends none: --aesgcm --no-send prints the links");
	/* the room's members would all read the key in the link */
	if (f->encrypt && f->rooms.n)
		xt_usage(&tool, "--encrypt omemo sends the links to JIDs: not with --muc (yet)");
}

/* Trailing arguments that are user JIDs (with '@') and not files are the
 * recipients: a mistyped file name must not become one. */
static void
split_arguments(struct sendfile *f, int argc, char **argv, int i)
{
	struct stat st;
	int end = argc;
	size_t k;

	while (end > i && strcmp(argv[end - 1], "-") && stat(argv[end - 1], &st) != 0 &&
	       strchr(argv[end - 1], '@') && !xt_jid_check(argv[end - 1]))
		end--;
	f->files = argv + i;
	f->nfiles = (size_t)(end - i);
	f->rcpt = argv + end;
	f->nrcpt = (size_t)(argc - end);
	if (f->nfiles == 0)
		xt_usage(&tool, "need a file to send");
	if (!f->no_send && f->nrcpt == 0 && f->rooms.n == 0)
		xt_usage(&tool, "need a recipient JID, --muc ROOM or --no-send");
	for (k = 0; k < f->nfiles; k++) {
		if (!strcmp(f->files[k], "-"))
			continue;
		if (stat(f->files[k], &st) != 0)
			xt_die(XT_ENOINPUT, "%s: %s", f->files[k], strerror(errno));
		if (!S_ISREG(st.st_mode))
			xt_die(XT_ENOINPUT, "%s: not a regular file", f->files[k]);
		if (access(f->files[k], R_OK) != 0)
			xt_die(XT_ENOINPUT, "%s: %s", f->files[k], strerror(errno));
	}
	if (f->name && f->nfiles > 1)
		xt_usage(&tool, "--name names one file; give one file");
}

/* Why name cannot be announced, NULL if it can: it goes into the slot
 * request as XML text, into messages and output lines, and --content-type
 * into a header, so neither invalid UTF-8 nor any control character (a tab, a
 * line break) may be in it. *at: the offset of the first bad byte. */
static const char *
unannounceable(const char *name, size_t *at)
{
	const char *why = xt_text_check(name, strlen(name), at);
	size_t i;

	if (why)
		return why;
	for (i = 0; name[i]; i++) {
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f) {
			*at = i;
			return "control character";
		}
	}
	return NULL;
}

/* Exits 65 before connecting if --name, --content-type or a file's own
 * name cannot be announced. */
static void
check_announced(const struct sendfile *f)
{
	const char *why, *base;
	size_t k, at;

	if (f->name && !*f->name)
		xt_die(XT_EDATA, "--name: empty (give the file name to announce)");
	if (f->name && strchr(f->name, '/'))
		xt_die(XT_EDATA, "--name: a file name, without /, not '%s'", f->name);
	if (f->name && (why = unannounceable(f->name, &at)))
		xt_die(XT_EDATA, "--name: %s at byte %zu of '%s'", why, at, f->name);
	if (f->content_type && (why = unannounceable(f->content_type, &at)))
		xt_die(XT_EDATA, "--content-type: %s at byte %zu of '%s'", why, at,
		       f->content_type);
	for (k = 0; !f->name && k < f->nfiles; k++) {
		base = strrchr(f->files[k], '/');
		base = base ? base + 1 : f->files[k];
		if ((why = unannounceable(base, &at)))
			xt_die(XT_EDATA, "%s: %s at byte %zu of its name (--name NAME announces another)",
			       f->files[k], why, at);
	}
}

/* Standard input of unknown size goes to a temporary file first: the PUT
 * needs its length, and a retry needs to read it again. */
static FILE *
open_input(const char *path, unsigned long long *size)
{
	char tmp[] = "/tmp/xmpp-sendfile.XXXXXX";
	const char *dir = getenv("TMPDIR");
	char *tpl, buf[65536];
	struct stat st;
	FILE *f;
	size_t n;
	int fd;

	if (strcmp(path, "-")) {
		if (!(f = fopen(path, "rb")) || fstat(fileno(f), &st) != 0)
			return NULL;
		*size = (unsigned long long)st.st_size;
		return f;
	}
	if (fstat(0, &st) == 0 && S_ISREG(st.st_mode) && lseek(0, 0, SEEK_CUR) == 0) {
		*size = (unsigned long long)st.st_size;
		return fdopen(dup(0), "rb");
	}
	if (dir && *dir) {
		tpl = xt_malloc(strlen(dir) + 24);
		sprintf(tpl, "%s/xmpp-sendfile.XXXXXX", dir);
	} else {
		tpl = xt_strdup(tmp);
	}
	fd = mkstemp(tpl);
	if (fd >= 0)
		unlink(tpl); /* gone once closed, whatever happens */
	free(tpl);
	if (fd < 0 || !(f = fdopen(fd, "w+b")))
		return NULL;
	*size = 0;
	while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
		if (fwrite(buf, 1, n, f) != n) {
			fclose(f);
			return NULL;
		}
		*size += n;
	}
	if (ferror(stdin) || fflush(f) != 0) {
		fclose(f);
		return NULL;
	}
	return f;
}

static void
human(unsigned long long v, char *buf, size_t len)
{
	if (v >= 1024ULL * 1024 * 1024)
		snprintf(buf, len, "%.1f GiB (%llu bytes)", (double)v / (1024.0 * 1024 * 1024), v);
	else if (v >= 1024 * 1024)
		snprintf(buf, len, "%.1f MiB (%llu bytes)", (double)v / (1024.0 * 1024), v);
	else
		snprintf(buf, len, "%llu bytes", v);
}

/* --encrypt omemo: every recipient has a device to encrypt for, asked
 * before anything is uploaded; 0 or the exit code printed (XT_ENOKEY). */
static int
check_recipients(struct sendfile *f)
{
	size_t i;
	int rc = 0;

	for (i = 0; f->encrypt && i < f->nrcpt && !rc; i++)
		rc = xt_omemo_check_recipient(&f->conn, &f->omemo, f->rcpt[i]);
	return rc;
}

/* The link goes out as the body and as out-of-band data (XEP-0066), which
 * is what clients show inline; encrypted, as the body only (the
 * out-of-band data would be plaintext, the key in it). */
static int
send_link(struct sendfile *f, const char *url, const char *file)
{
	struct xt_msg m = { .body = url, .url = f->encrypt ? NULL : url };
	char label[300];
	xmpp_stanza_t *st = NULL;
	size_t i;
	int rc = 0;

	for (i = 0; i < f->nrcpt + f->rooms.n && !rc; i++) {
		const char *to = i < f->nrcpt ? f->rcpt[i] : f->rooms.jid[i - f->nrcpt];
		m.type = i >= f->nrcpt ? "groupchat" : f->msg_type ? f->msg_type : "chat";
		if (!f->encrypt)
			st = xt_msg_stanza(&f->conn, &m, to);
		else if ((rc = xt_omemo_msg_stanza(&f->conn, &f->omemo, &m, to, &st)))
			break;
		snprintf(label, sizeof label, "link to %s for %s", to, file);
		rc = xt_send(&f->conn, st, label);
		xmpp_stanza_release(st);
	}
	return rc;
}

static void
print_result(const struct sendfile *f, const char *file, const char *url,
	     unsigned long long size, const char *sha, const char *type)
{
	if (!f->json) {
		printf("%s\n", url);
		return;
	}
	/* the fields are ours or checked: file names still need escaping */
	printf("{\"file\":");
	xt_print_json_string(file);
	printf(",\"url\":");
	xt_print_json_string(url);
	printf(",\"size\":%llu,\"sha256\":\"%s\",\"content_type\":", size, sha);
	xt_print_json_string(type);
	printf("}\n");
}

static int
send_file(struct sendfile *f, const char *path, const struct xt_account *a)
{
	struct xt_upload up = { .progress = isatty(2) && !xt_quiet, .retries = (int)f->retries,
				.resolve = f->resolve, .nresolve = f->nresolve,
				.encrypt = f->aesgcm };
	struct xt_slot slot;
	char sha[65], have[64], max[64], *url = NULL;
	const char *base = strrchr(path, '/'), *type;
	int rc;

	up.filename = f->name ? f->name : base ? base + 1 : path;
	if (!strcmp(path, "-") && !f->name)
		up.filename = "stdin";
	type = f->content_type ? f->content_type : xt_guess_content_type(up.filename);
	/* encrypted, the server sees bytes, not what they are */
	up.content_type = f->aesgcm ? "application/octet-stream" : type;
	if (!(up.file = open_input(path, &up.size)))
		return xt_error(XT_ENOINPUT, "%s: %s", path, strerror(errno));
	if (f->svc.max_size && up.size + (f->aesgcm ? 16 : 0) > f->svc.max_size) {
		human(up.size, have, sizeof have);
		human(f->svc.max_size, max, sizeof max);
		fclose(up.file);
		return xt_error(XT_EDATA, "%s is %s; the server accepts at most %s: not uploaded",
				up.filename, have, max);
	}
	if (f->aesgcm && xt_upload_new_key(&up)) {
		fclose(up.file);
		return xt_error(XT_EOS, "no randomness for the encryption key");
	}
	rc = xt_upload_slot(&f->conn, &f->svc, &up, &slot);
	if (!rc)
		rc = xt_upload_put(&up, &slot, a, sha);
	if (!rc) {
		url = f->aesgcm ? xt_upload_aesgcm_url(&up, slot.get) : xt_strdup(slot.get);
		print_result(f, up.filename, url, up.size, sha, type);
		if (!f->no_send)
			rc = send_link(f, url, up.filename);
	}
	explicit_bzero(up.key, sizeof up.key);
	free(url);
	xt_slot_free(&slot);
	fclose(up.file);
	return rc;
}

int
main(int argc, char **argv)
{
	struct xt_account acct = { 0 };
	struct sendfile *f = &F;
	size_t k, failed = 0;
	int i, rc, last = 0;

	xt_init(argv[0]);
	i = xt_parse_options(&tool, &acct, argc, argv);
	/* a usage error first: --type image/png meant the old --type */
	if (f->msg_type)
		xt_msg_type_option(&tool, f->msg_type, strchr(f->msg_type, '/') ?
				   "the file's Content-Type goes in --content-type" : NULL);
	check_encrypt(f);
	split_arguments(f, argc, argv, i);
	check_announced(f);
	if ((rc = xt_login(&f->conn, &acct)))
		return rc;
	rc = xt_upload_find(&f->conn, &f->svc);
	if (!rc)
		rc = check_recipients(f);
	if (!rc && !f->no_send && (rc = xt_rooms_join(&f->conn, &f->rooms, 0)) &&
	    f->conn.error)
		xt_error(rc, "%s", f->conn.why); /* the core recorded it */
	for (k = 0; !rc && k < f->nfiles && f->conn.state == XT_CONN_ONLINE; k++) {
		if ((last = send_file(f, f->files[k], &acct)))
			failed++;
	}
	if (!rc && !f->no_send)
		rc = xt_confirm_all(&f->conn);
	if (!rc && failed)
		rc = failed < f->nfiles ? XT_EPARTIAL : last;
	xt_omemo_close(f->omemo);
	xt_upload_service_free(&f->svc);
	xt_close(&f->conn);
	xt_account_free(&acct);
	return rc;
}
