/* account.c - who we are: flags, environment, config file, go-sendxmpp's */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xt.h"

void
xt_config_free(struct xt_config *s)
{
	free(s->jid);
	xt_free_secret(s->password);
	free(s->password_file);
	free(s->password_cmd);
	free(s->server);
	free(s->cafile);
	free(s->capath);
	free(s->resource);
	free(s->tls_min);
	free(s->path);
	memset(s, 0, sizeof *s);
}

/* The name of uid, or its number, in buf. */
static const char *
user_name(uid_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "%u", (unsigned)uid);
	return buf;
}

/* Whether st belongs to us or to root: no one else could have written it. */
static int
ours(const struct stat *st)
{
	return st->st_uid == getuid() || st->st_uid == 0;
}

/* The error for a file or directory another user owns: what, on path. */
static int
not_ours(const char *what, const char *path, const char *dir, const struct stat *st)
{
	char owner[64], me[64];

	user_name(st->st_uid, owner, sizeof owner);
	user_name(getuid(), me, sizeof me);
	if (!dir)
		return xt_error(XT_ECONFIG, "%s %s belongs to %s, not to you: they could have "
				"written it (run: chown %s %s, or use a file of your own)",
				what, path, owner, me, path);
	return xt_error(XT_ECONFIG, "%s %s: its directory %s belongs to %s, not to you: "
			"they could put a file of theirs in its place (run: chown %s %s)",
			what, path, dir, owner, me, dir);
}

/* A directory on the way to path must be ours (or root's) and writable by
 * no one else, but for a sticky one of root's such as /tmp: there, no one
 * else can remove or rename what is ours. */
static int
check_dir(const char *dir, const char *path, const char *what)
{
	struct stat st;

	if (stat(dir, &st) != 0)
		return xt_error(XT_ECONFIG, "%s %s: directory %s: %s", what, path, dir,
				strerror(errno));
	if (!ours(&st))
		return not_ours(what, path, dir, &st);
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !((st.st_mode & S_ISVTX) && st.st_uid == 0))
		return xt_error(XT_ECONFIG, "%s %s: its directory %s is writable by group or "
				"others (mode %03o): they could put a file of theirs in its place "
				"(run: chmod go-w %s)", what, path, dir,
				(unsigned)(st.st_mode & 0777), dir);
	return 0;
}

/* Checks each directory above the absolute path file, up to $HOME (home,
 * or real_home, as the walk meets either) or else to /, as OpenSSH does
 * for ~/.ssh. path is the name the user gave, for the messages. */
static int
check_dirs(const char *file, const char *path, const char *what, const char *home,
	   const char *real_home)
{
	char *d = xt_strdup(file), *slash;
	int rc = 0;

	while (!rc && (slash = strrchr(d, '/'))) {
		slash[slash == d] = '\0';
		rc = check_dir(d, path, what);
		if (!strcmp(d, "/") || (home && !strcmp(d, home)) ||
		    (real_home && !strcmp(d, real_home)))
			break;
	}
	free(d);
	return rc;
}

/* path as an absolute name, as given (symbolic links kept). */
static char *
absolute(const char *path)
{
	char *cwd, *p;

	if (path[0] == '/' || !(cwd = getcwd(NULL, 0)))
		return xt_strdup(path);
	p = xt_malloc(strlen(cwd) + strlen(path) + 2);
	sprintf(p, "%s/%s", cwd, path);
	free(cwd);
	return p;
}

/* The directories on the way to path, both as the user named it (a
 * symbolic link's own directory) and as it really is (its target's). */
static int
check_path(const char *path, const char *what)
{
	const char *home = getenv("HOME");
	char *abs = absolute(path), *real = realpath(path, NULL);
	char *real_home = home ? realpath(home, NULL) : NULL;
	int rc = check_dirs(abs, path, what, home, real_home);

	if (!rc && real && strcmp(real, abs))
		rc = check_dirs(real, path, what, home, real_home);
	free(abs);
	free(real);
	free(real_home);
	return rc;
}

int
xt_check_private(const char *path, const char *what)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return xt_error(XT_ECONFIG, "%s %s: %s", what, path, strerror(errno));
	if (!ours(&st))
		return not_ours(what, path, NULL, &st);
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		return xt_error(XT_ECONFIG,
				"%s %s is open to group or others (mode %03o): "
				"it may hold a password (run: chmod 600 %s)",
				what, path, (unsigned)(st.st_mode & 0777), path);
	return check_path(path, what);
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Expands a leading "~/" to $HOME. */
static char *
expand_home(const char *p)
{
	const char *home = getenv("HOME");
	char *r;

	if (strncmp(p, "~/", 2) != 0 || !home)
		return xt_strdup(p);
	r = xt_malloc(strlen(home) + strlen(p));
	sprintf(r, "%s%s", home, p + 1);
	return r;
}

static int
yes(const char *v)
{
	return !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1");
}

/* Stores key = value of our format into s; returns -1 for an unknown key. */
static int
set_key(struct xt_config *s, const char *k, const char *v)
{
	char **field = NULL;

	if (!strcmp(k, "jid")) field = &s->jid;
	else if (!strcmp(k, "password")) field = &s->password;
	else if (!strcmp(k, "password-file")) field = &s->password_file;
	else if (!strcmp(k, "password-cmd")) field = &s->password_cmd;
	else if (!strcmp(k, "server")) field = &s->server;
	else if (!strcmp(k, "cafile")) field = &s->cafile;
	else if (!strcmp(k, "capath")) field = &s->capath;
	else if (!strcmp(k, "resource")) field = &s->resource;
	else if (!strcmp(k, "tls-min")) field = &s->tls_min;
	else if (!strcmp(k, "direct-tls")) {
		s->direct_tls = yes(v);
		return 0;
	} else if (!strcmp(k, "allow-plain")) {
		s->allow_plain = yes(v);
		return 0;
	} else
		return -1;
	free(*field);
	*field = !strcmp(k, "password-file") || !strcmp(k, "cafile") ||
			 !strcmp(k, "capath")
		     ? expand_home(v)
		     : xt_strdup(v);
	return 0;
}

/* Returns the next line of [*p, end), NUL-terminated in place, and moves *p
 * past it; NULL after the last. As getline(3): a last line without a newline
 * counts, nothing after a final newline does. */
static char *
next_line(char **p, char *end)
{
	char *line = *p, *nl;

	if (line >= end)
		return NULL;
	if ((nl = memchr(line, '\n', (size_t)(end - line)))) {
		*nl = '\0';
		*p = nl + 1;
	} else {
		*p = end;
	}
	return line;
}

/* A writable, NUL-terminated copy of text, to cut into lines. */
static char *
text_copy(const char *text, size_t len)
{
	char *t = xt_malloc(len + 1);

	memcpy(t, text, len);
	t[len] = '\0';
	return t;
}

/* Wipes (the text may hold a password) and frees a copy of len bytes. */
static void
text_free(char *t, size_t len)
{
	explicit_bzero(t, len);
	free(t);
}

int
xt_config_parse(const char *text, size_t len, const char *path,
		const char *name, struct xt_config *s)
{
	char *t = text_copy(text, len), *rest = t, *line, *p, *eq;
	unsigned long lineno = 0;
	int in = name == NULL, found = name == NULL, rc = 0;

	while ((line = next_line(&rest, t + len))) {
		lineno++;
		p = trim(line);
		if (*p == '#' || *p == ';' || *p == '\0')
			continue;
		if (*p == '[') {
			char *end = strchr(p, ']');
			if (!end) {
				rc = xt_error(XT_ECONFIG, "config file %s:%lu: '[' without ']'", path, lineno);
				break;
			}
			*end = '\0';
			in = name && !strcmp(trim(p + 1), name);
			found |= in;
			continue;
		}
		if (!(eq = strchr(p, '='))) {
			rc = xt_error(XT_ECONFIG, "config file %s:%lu: expected 'key = value'", path, lineno);
			break;
		}
		*eq = '\0';
		if (in && set_key(s, trim(p), trim(eq + 1)) != 0) {
			rc = xt_error(XT_ECONFIG, "config file %s:%lu: unknown key '%s' (see xmpp-tools(7))",
				      path, lineno, trim(p));
			break;
		}
	}
	text_free(t, len);
	if (rc == 0 && !found)
		return 1;
	return rc;
}

/* go-sendxmpp's "key: value" file, for people moving over. */
int
xt_config_parse_go_sendxmpp(const char *text, size_t len, struct xt_config *s)
{
	char *t = text_copy(text, len), *rest = t, *line, *p, *colon, *k, *v;
	char *port = NULL;

	while ((line = next_line(&rest, t + len))) {
		p = trim(line);
		if (*p == '#' || !(colon = strchr(p, ':')))
			continue;
		*colon = '\0';
		k = trim(p);
		v = trim(colon + 1);
		if (!strcmp(k, "username"))
			free(s->jid), s->jid = xt_strdup(v);
		else if (!strcmp(k, "password"))
			xt_free_secret(s->password), s->password = xt_strdup(v);
		else if (!strcmp(k, "eval_password"))
			free(s->password_cmd), s->password_cmd = xt_strdup(v);
		else if (!strcmp(k, "jserver"))
			free(s->server), s->server = xt_strdup(v);
		else if (!strcmp(k, "port"))
			free(port), port = xt_strdup(v);
	}
	if (port && s->server && !strchr(s->server, ':')) {
		char *hp = xt_malloc(strlen(s->server) + strlen(port) + 2);
		sprintf(hp, "%s:%s", s->server, port);
		free(s->server);
		s->server = hp;
	}
	free(port);
	text_free(t, len);
	return 0;
}

/* Reads the config file at path (checked private first; what names its
 * role) and parses it, in go-sendxmpp's format if go_sendxmpp; returns what
 * the parser returns, or an exit code. */
static int
read_config(const char *path, const char *what, const char *name,
	    struct xt_config *s, int go_sendxmpp)
{
	char *text;
	long len;
	int fd, rc;

	if ((rc = xt_check_private(path, what)))
		return rc;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return xt_error(XT_ECONFIG, "config file %s: %s", path, strerror(errno));
	len = xt_read_all(fd, &text);
	close(fd);
	if (len < 0)
		return xt_error(XT_ECONFIG, "config file %s: %s", path, strerror(errno));
	rc = go_sendxmpp ? xt_config_parse_go_sendxmpp(text, (size_t)len, s)
			 : xt_config_parse(text, (size_t)len, path, name, s);
	if (rc == 0)
		s->path = xt_strdup(path);
	text_free(text, (size_t)len);
	return rc;
}

static char *
config_dir_file(const char *dir, const char *file)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char *p;

	if (xdg && *xdg) {
		p = xt_malloc(strlen(xdg) + strlen(dir) + strlen(file) + 3);
		sprintf(p, "%s/%s/%s", xdg, dir, file);
	} else if (home) {
		p = xt_malloc(strlen(home) + strlen(dir) + strlen(file) + 11);
		sprintf(p, "%s/.config/%s/%s", home, dir, file);
	} else {
		return NULL;
	}
	return p;
}

static int
exists(const char *p)
{
	struct stat st;

	return p && stat(p, &st) == 0;
}

/* Says where an account can come from, naming the config file this
 * process would read ($XDG_CONFIG_HOME or ~/.config). */
static int
no_account(void)
{
	char *path = config_dir_file("xmpp-tools", "config");
	int rc = xt_error(XT_ECONFIG, "no account: put one in the config file %s (jid = "
			  "you@example.org and password-file = PATH, see xmpp-tools(7)), or "
			  "set XMPP_JID and XMPP_PASSWORD, or give --jid and --password-file",
			  path ? path : "$XDG_CONFIG_HOME/xmpp-tools/config");

	free(path);
	return rc;
}

/* Finds and reads the config that applies: ours, else go-sendxmpp's.
 * named_by says where a->name came from (-a or XMPP_ACCOUNT). */
static int
load_config(struct xt_account *a, struct xt_config *s, const char *named_by)
{
	char *path = a->config_path ? xt_strdup(a->config_path)
				    : config_dir_file("xmpp-tools", "config");
	int rc;

	if (a->config_path || exists(path)) {
		rc = read_config(path, "config file", a->name, s, 0);
		if (rc == 1)
			rc = xt_error(XT_ECONFIG, "config file %s has no account [%s] "
				      "(named by %s)", path, a->name, named_by);
		free(path);
		return rc;
	}
	free(path);
	if (a->name)
		return xt_error(XT_ECONFIG, "no config file for account '%s' (named by %s; "
				"see xmpp-tools(7))", a->name, named_by);
	path = config_dir_file("go-sendxmpp", "config");
	if (!exists(path)) {
		free(path);
		path = config_dir_file("go-sendxmpp", "sendxmpprc");
	}
	rc = exists(path) ? read_config(path, "go-sendxmpp config file", NULL, s, 1) : 0;
	free(path);
	return rc;
}

static int
read_password_file(struct xt_account *a, const char *path)
{
	int rc = xt_check_private(path, "password file");

	if (rc)
		return rc;
	if (!(a->password = xt_read_line_file(path)))
		return xt_error(XT_ECONFIG, "password file %s: %s", path, strerror(errno));
	return 0;
}

static int
run_password_cmd(struct xt_account *a, const char *cmd)
{
	if (!(a->password = xt_read_line_cmd(cmd)))
		return xt_error(XT_ECONFIG, "password command failed: %s", cmd);
	return 0;
}

/* Password: options, then the environment, then the account's source. */
static int
resolve_password(struct xt_account *a, struct xt_config *s, int source_applies, char *env)
{
	if (a->password_file)
		return read_password_file(a, a->password_file);
	if (a->password_cmd)
		return run_password_cmd(a, a->password_cmd);
	if (env && *env) {
		a->password = xt_strdup(env);
		return 0;
	}
	if (source_applies && s->password_file)
		return read_password_file(a, s->password_file);
	if (source_applies && s->password_cmd)
		return run_password_cmd(a, s->password_cmd);
	if (source_applies && s->password) {
		a->password = s->password;
		s->password = NULL;
		return 0;
	}
	return xt_error(XT_ECONFIG, "no password for %s: use --password-file, --password-cmd, "
			"XMPP_PASSWORD or the config file (see xmpp-tools(7))", a->jid);
}

static void
take(char **dst, char **src)
{
	if (!*dst && *src) {
		*dst = *src;
		*src = NULL;
	}
}

/* Trust given by options replaces the config's: --capath does not also
 * trust the config's cafile, nor --cafile its capath. */
static void
take_trust(struct xt_account *a, struct xt_config *s)
{
	if (a->cafile || a->capath)
		return;
	take(&a->cafile, &s->cafile);
	take(&a->capath, &s->capath);
}

/* --tls-min, else the config's tls-min; a wrong value there is an error. */
static int
take_tls_min(struct xt_account *a, const struct xt_config *s)
{
	if (a->tls_min || !s->tls_min)
		return 0;
	if ((a->tls_min = xt_parse_tls_min(s->tls_min)) < 0)
		return xt_error(XT_ECONFIG, "config file: tls-min wants 1.2 or 1.3, got '%s'",
				s->tls_min);
	return 0;
}

/* A CA file or directory that is not there would only show later, as a
 * certificate that cannot be trusted: it is named now, with what named it
 * (an option, which the config file's key of the same name stands for
 * when no option was given, or a variable). */
static int
check_trust_path(const char *path, const char *option, int dir)
{
	const char *what = dir ? "directory" : "file";
	int e;

	if (!path || access(path, dir ? R_OK | X_OK : R_OK) == 0)
		return 0;
	e = errno;
	if (path[0] == '~' && option[0] == '-')
		return xt_error(XT_ENOINPUT, "cannot read the CA %s %s: %s (the shell "
				"does not expand ~ after '=': write %s %s, with a space)",
				what, path, strerror(e), option, path);
	if (option[0] != '-')
		return xt_error(XT_ENOINPUT, "cannot read the CA %s %s: %s (check %s)",
				what, path, strerror(e), option);
	return xt_error(XT_ENOINPUT, "cannot read the CA %s %s: %s (check %s, or %s "
			"in the config file)", what, path, strerror(e), option, option + 2);
}

/* The account's name: -a, else XMPP_ACCOUNT when no --jid chose the
 * account either (xmpp-listen --exec sets it for its command). Returns
 * what named it, for messages. */
static const char *
take_name(struct xt_account *a)
{
	const char *env = getenv("XMPP_ACCOUNT");

	if (a->name)
		return "-a";
	if (!a->jid && env && *env)
		a->name = xt_strdup(env);
	return "XMPP_ACCOUNT";
}

/* XMPP_JID, unless --jid or a named account (-a, XMPP_ACCOUNT) chose the
 * account: a choice made by name beats the environment's default, and a
 * different XMPP_JID is named on stderr. Returns 0 when XMPP_JID lost to
 * another account, whose password XMPP_PASSWORD (its companion) is not. */
static int
take_env_jid(struct xt_account *a, const struct xt_config *s, const char *named_by)
{
	const char *env = getenv("XMPP_JID");

	if (a->jid || !env || !*env)
		return 1;
	if (!a->name || !s->jid) {
		a->jid = xt_strdup(env);
		return 1;
	}
	if (xt_jid_bare_equal(env, s->jid))
		return 1;
	xt_warn("using account [%s] (%s) from %s, not XMPP_JID %s", a->name, s->jid,
		named_by, env);
	return 0;
}

/* XMPP_SERVER and XMPP_CAFILE, for scripts and CI that configure an
 * account by environment alone: like XMPP_PASSWORD they come after the
 * options and before the config file, and go with XMPP_JID's account
 * (dropped when a named account beat it). *cafile_by is set to what named
 * the CA file, for messages. */
static int
take_env_server_trust(struct xt_account *a, int env_applies, const char **cafile_by)
{
	const char *server = getenv("XMPP_SERVER"), *cafile = getenv("XMPP_CAFILE");

	if (!env_applies)
		return 0;
	if (!a->host && server && *server && xt_parse_server(a, server))
		return xt_error(XT_ECONFIG, "XMPP_SERVER wants HOST[:PORT], got '%s'", server);
	if (!a->cafile && !a->capath && cafile && *cafile) {
		a->cafile = xt_strdup(cafile);
		*cafile_by = "XMPP_CAFILE";
	}
	return 0;
}

/* Returns a copy of XMPP_PASSWORD, or NULL, and takes it out of the
 * environment: children (--exec, --password-cmd) do not inherit it, and
 * its bytes in the block /proc/PID/environ shows are overwritten (unsetenv
 * only drops the pointer to them). */
static char *
take_env_password(void)
{
	static const char name[] = "XMPP_PASSWORD=";
	char **e, *pw = NULL;

	for (e = environ; *e; e++) {
		if (strncmp(*e, name, sizeof name - 1))
			continue;
		if (!pw)
			pw = xt_strdup(*e + sizeof name - 1);
		explicit_bzero(*e + sizeof name - 1, strlen(*e + sizeof name - 1));
	}
	unsetenv("XMPP_PASSWORD");
	return pw;
}

int
xt_account_resolve(struct xt_account *a)
{
	struct xt_config s = { 0 };
	const char *why, *named_by = take_name(a), *cafile_by = "--cafile";
	char *env_pw = take_env_password();
	int rc, applies = 0, env_applies;

	if ((rc = load_config(a, &s, named_by)))
		goto out;
	if (!(env_applies = take_env_jid(a, &s, named_by)))
		xt_free_secret(env_pw), env_pw = NULL;
	if ((rc = take_env_server_trust(a, env_applies, &cafile_by)))
		goto out;
	applies = s.jid && (!a->jid || xt_jid_bare_equal(a->jid, s.jid));
	if (applies) {
		take(&a->jid, &s.jid);
		take(&a->config_used, &s.path);
		take(&a->resource, &s.resource);
		take_trust(a, &s);
		a->direct_tls |= s.direct_tls;
		a->allow_plain |= s.allow_plain;
		if ((rc = take_tls_min(a, &s)))
			goto out;
		if (!a->host && s.server && xt_parse_server(a, s.server)) {
			rc = xt_error(XT_ECONFIG, "config file: server wants HOST[:PORT], got '%s'",
				      s.server);
			goto out;
		}
	}
	if (!a->tls_min)
		a->tls_min = TLS1_2_VERSION;
	if ((rc = check_trust_path(a->cafile, cafile_by, 0)) ||
	    (rc = check_trust_path(a->capath, "--capath", 1)))
		goto out;
	if (!a->jid)
		rc = no_account();
	else if ((why = xt_jid_check(a->jid)))
		rc = xt_error(XT_ECONFIG, "account JID '%s': %s", a->jid, why);
	else
		rc = resolve_password(a, &s, applies, env_pw);
	/* kept for the run: needed again on every reconnect */
	if (rc == 0)
		a->password = xt_secret_keep(a->password);
out:
	xt_config_free(&s);
	xt_free_secret(env_pw);
	return rc;
}

void
xt_account_free(struct xt_account *a)
{
	free(a->jid);
	xt_secret_drop(a->password);
	free(a->host);
	free(a->cafile);
	free(a->capath);
	free(a->config_path);
	free(a->config_used);
	free(a->name);
	free(a->password_file);
	free(a->password_cmd);
	free(a->resource);
	free(a->pin);
	memset(a, 0, sizeof *a);
}
