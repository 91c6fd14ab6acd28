#!/usr/bin/env bash
# Real mail servers on loopback for ModernAuth.Mail's tests and benchmarks.
#
#   eng/test-servers.sh start       install if missing, configure, start everything, wait for ports
#   eng/test-servers.sh stop        stop everything (succeeds when already stopped)
#   eng/test-servers.sh status      print what runs (exit 0 when all run, 3 otherwise)
#   eng/test-servers.sh env         print `export` lines for other scripts and tests
#   eng/test-servers.sh stop-smtp   stop only Postfix (simulates an upstream outage)
#   eng/test-servers.sh start-smtp  start only Postfix again
#
# Runs as root on Debian 12. Dovecot 2.3.19.1 (IMAP/POP3/LMTP), Postfix 3.7 (submission) and
# Redis 7 run from configurations under one state directory; nothing under /etc is edited.
# See eng/README.md for the state directory layout and how tokens are validated.
set -euo pipefail

STATE_DIR="${MODERNAUTH_MAIL_SERVERS_DIR:-/tmp/modernauth-mail-servers}"
TENANT_ID="${MODERNAUTH_MAIL_TENANT_ID:-11111111-2222-3333-4444-555555555555}"
# Accepted domains of the tenant: Postfix delivers them to Dovecot, and app-only tokens
# may open any mailbox in them.
DOMAINS="${MODERNAUTH_MAIL_DOMAINS:-contoso.test fabrikam.test}"
# Optional: client ids (token `azp` claims) the public key must also be published for.
# Dovecot looks the key up under <azp>/<alg>/<kid>, or default/<alg>/<kid> without `azp`.
CLIENT_IDS="${MODERNAUTH_MAIL_CLIENT_IDS:-}"
DEFAULT_KID="modernauth-test-1"

HOST=127.0.0.1
IMAP_PORT=11143
IMAPS_PORT=11993
POP3_PORT=11110
POP3S_PORT=11995
SUBMISSION_PORT=11587
REDIS_PORT=16379

ISSUER="https://sts.windows.net/${TENANT_ID}/"
AUD_DELEGATED="https://outlook.office.com"
AUD_APP="https://outlook.office365.com"
PASSWORD_USER="password-user@contoso.test"
PASSWORD_USER_PASSWORD='P@ssw0rd-test'

PACKAGES=(dovecot-core dovecot-imapd dovecot-pop3d dovecot-lmtpd dovecot-submissiond
          postfix redis-server openssl)

DOVECOT_CONF="$STATE_DIR/dovecot.conf"
DOVECOT_RUN="$STATE_DIR/run/dovecot"
DOVECOT_PID="$DOVECOT_RUN/master.pid"
AUTH_SOCKET="$DOVECOT_RUN/auth-postfix"
LMTP_SOCKET="$DOVECOT_RUN/lmtp"
POSTFIX_DIR="$STATE_DIR/postfix"
POSTFIX_QUEUE="$STATE_DIR/postfix-queue"
POSTFIX_PID="$POSTFIX_QUEUE/pid/master.pid"
REDIS_DIR="$STATE_DIR/redis"
REDIS_PID="$STATE_DIR/redis.pid"
KEY_FILE="$STATE_DIR/signing-key.pem"
PUB_FILE="$STATE_DIR/signing-key.pub.pem"
KID_FILE="$STATE_DIR/signing-key.kid"

log() { printf '[test-servers] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now_ms() { date +%s%3N; }

kid() {
    if [[ -s "$KID_FILE" ]]; then tr -d '[:space:]' <"$KID_FILE"; else printf '%s' "$DEFAULT_KID"; fi
}

# ---------------------------------------------------------------------------------------------
# Installation
# ---------------------------------------------------------------------------------------------

missing_packages() {
    local p
    for p in "${PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
            printf '%s\n' "$p"
        fi
    done
}

POLICY=/usr/sbin/policy-rc.d
POLICY_BACKUP=""
restore_policy() {
    if [[ -n "$POLICY_BACKUP" ]]; then
        mv -f "$POLICY_BACKUP" "$POLICY"
        POLICY_BACKUP=""
    else
        rm -f "$POLICY"
    fi
}

install_packages() {
    local missing
    missing="$(missing_packages)"
    [[ -z "$missing" ]] && return 0
    [[ "$(id -u)" == 0 ]] || die "packages missing (${missing//$'\n'/ }) and not root"
    log "installing: ${missing//$'\n'/ }"
    local t0; t0=$(now_ms)

    # Keep maintainer scripts from starting the distribution's services.
    if [[ -e "$POLICY" ]]; then
        POLICY_BACKUP="$(mktemp /tmp/policy-rc.d.XXXXXX)"
        cp -p "$POLICY" "$POLICY_BACKUP"
    fi
    trap restore_policy EXIT
    printf '#!/bin/sh\n# temporary: installed by eng/test-servers.sh\nexit 101\n' >"$POLICY"
    chmod 755 "$POLICY"

    # Postfix asks what kind of mail system to configure: none (we bring our own config dir).
    printf '%s\n' \
        'postfix postfix/main_mailer_type select No configuration' \
        'postfix postfix/mailname string mail.contoso.test' | debconf-set-selections

    export DEBIAN_FRONTEND=noninteractive
    local apt_opts=(-y -q --no-install-recommends -o Dpkg::Options::=--force-confdef
                    -o Dpkg::Options::=--force-confold)
    # shellcheck disable=SC2086
    if ! apt-get install "${apt_opts[@]}" $missing >"$STATE_DIR/apt.log" 2>&1; then
        log "apt-get install failed; running apt-get update and retrying"
        apt-get update -q >>"$STATE_DIR/apt.log" 2>&1 || { tail -n 40 "$STATE_DIR/apt.log" >&2; die "apt-get update failed"; }
        # shellcheck disable=SC2086
        apt-get install "${apt_opts[@]}" $missing >>"$STATE_DIR/apt.log" 2>&1 \
            || { tail -n 40 "$STATE_DIR/apt.log" >&2; die "apt-get install failed"; }
    fi
    restore_policy
    trap - EXIT
    [[ -z "$(missing_packages)" ]] || die "still missing after install: $(missing_packages | tr '\n' ' ')"
    log "installed in $(( $(now_ms) - t0 )) ms"
}

# ---------------------------------------------------------------------------------------------
# Keys and certificates (created once, reused later)
# ---------------------------------------------------------------------------------------------

make_keys() {
    if [[ ! -s "$KEY_FILE" ]]; then
        log "creating RSA 2048 signing key"
        openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$KEY_FILE.tmp" 2>/dev/null
        mv "$KEY_FILE.tmp" "$KEY_FILE"
        rm -f "$PUB_FILE"
    fi
    # Test-only key: readable so that tests running as another user can sign with it.
    chmod 644 "$KEY_FILE"
    if [[ ! -s "$PUB_FILE" ]]; then
        openssl pkey -in "$KEY_FILE" -pubout -out "$PUB_FILE"
    fi
    [[ -s "$KID_FILE" ]] || printf '%s\n' "$DEFAULT_KID" >"$KID_FILE"
    local k; k="$(kid)"
    [[ "$k" =~ ^[A-Za-z0-9_-]+$ ]] || die "kid '$k' in $KID_FILE: use only letters, digits, '-' and '_' (Dovecot escapes others in key paths)"

    # Dovecot's local validation looks the key up in a dict at <azp>/<alg>/<kid>, where
    # <azp> is the token's `azp` claim or "default" when there is none (v1 tokens such as
    # Exchange Online's carry `appid`, not `azp`).
    # Written in place (never removed first), so tests running meanwhile always find it.
    mkdir -p "$STATE_DIR/keys"
    local id dir
    for dir in "$STATE_DIR/keys"/*/; do
        id="$(basename "$dir")"
        [[ " default $CLIENT_IDS " == *" $id "* ]] || rm -rf "$dir"
    done
    for id in default $CLIENT_IDS; do
        [[ "$id" =~ ^[A-Za-z0-9._-]+$ ]] || die "client id '$id': unsupported characters"
        mkdir -p "$STATE_DIR/keys/$id/RS256"
        cmp -s "$PUB_FILE" "$STATE_DIR/keys/$id/RS256/$k" \
            || cp "$PUB_FILE" "$STATE_DIR/keys/$id/RS256/$k"
        find "$STATE_DIR/keys/$id/RS256" -type f ! -name "$k" -delete
    done
    chmod -R a+rX "$STATE_DIR/keys"

    if [[ ! -s "$STATE_DIR/tls.crt" || ! -s "$STATE_DIR/tls.key" ]]; then
        log "creating self-signed TLS certificate"
        openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
            -keyout "$STATE_DIR/tls.key.tmp" -out "$STATE_DIR/tls.crt.tmp" \
            -subj "/CN=localhost" \
            -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:mail.contoso.test" \
            -addext "extendedKeyUsage=serverAuth" 2>/dev/null
        mv "$STATE_DIR/tls.key.tmp" "$STATE_DIR/tls.key"
        mv "$STATE_DIR/tls.crt.tmp" "$STATE_DIR/tls.crt"
    fi
    chmod 600 "$STATE_DIR/tls.key"
    chmod 644 "$STATE_DIR/tls.crt"
}

# ---------------------------------------------------------------------------------------------
# Configuration files
# ---------------------------------------------------------------------------------------------

write_if_changed() { # file: content from stdin; prints "changed" when it changed
    local f="$1" tmp
    tmp="$(mktemp "$f.XXXXXX")"
    cat >"$tmp"
    if [[ -f "$f" ]] && cmp -s "$tmp" "$f"; then
        rm -f "$tmp"
    else
        chmod 644 "$tmp"
        mv -f "$tmp" "$f"
        echo changed
    fi
}

write_dovecot_config() {
    local mail_uid; mail_uid="$(id -u mail)"
    local filter="" d
    for d in $DOMAINS; do filter+="*@$d "; done
    local dh=""
    [[ -s /usr/share/dovecot/dh.pem ]] && dh="ssl_dh = </usr/share/dovecot/dh.pem"

    # Passwords for the benchmark user (SHA512-CRYPT, like a real server stores them).
    if [[ ! -s "$STATE_DIR/users.passwd" ]]; then
        local hash; hash="$(openssl passwd -6 "$PASSWORD_USER_PASSWORD")"
        printf '%s:{SHA512-CRYPT}%s\n' "$PASSWORD_USER" "$hash" >"$STATE_DIR/users.passwd"
    fi
    chmod 644 "$STATE_DIR/users.passwd"

    # Delegated tokens: aud https://outlook.office.com, the SASL user must equal `upn`.
    write_if_changed "$STATE_DIR/dovecot-oauth2.conf.ext" <<EOF
# Delegated (user) tokens, as Exchange Online accepts for IMAP.AccessAsUser.All,
# POP.AccessAsUser.All and SMTP.Send. Validated locally: RS256 signature with the key in
# keys/<azp or default>/RS256/<kid>, exp (no leeway), nbf/iat, iss and aud.
introspection_mode = local
local_validation_key_dict = fs:posix:prefix=$STATE_DIR/keys/
issuers = $ISSUER
# deb12u7 enforces the audience through client_id: it must appear in the token's aud.
client_id = $AUD_DELEGATED
# The mailbox address the client names (SASL user) must equal the token's upn
# (both lower-cased by the default username_format %Lu).
username_attribute = upn
EOF

    # App-only tokens: aud https://outlook.office365.com, no user claim; any mailbox of the tenant.
    write_if_changed "$STATE_DIR/dovecot-oauth2-app.conf.ext" <<EOF
# App-only (client credentials) tokens, as Exchange Online accepts for IMAP.AccessAsApp,
# POP.AccessAsApp and SMTP.SendAsApp. Such a token names no mailbox: the principal may open
# any mailbox of the tenant (Exchange's FullAccess grant), so the SASL user is not compared
# with a claim. How that is done with Dovecot 2.3.19.1 (deb12u7)'s oauth2 passdb:
# - client_id requires aud https://outlook.office365.com; issuers pins the tenant, whose id
#   is part of the issuer;
# - username_attribute = roles makes the claim roles mandatory (a token without it, like an
#   app without an Exchange permission, is refused: Dovecot answers with a temporary failure),
#   and username_format is a constant, so the comparison of the SASL user with the claim,
#   both expanded through that format, always matches;
# - active_attribute/active_value reject a token whose tid is another tenant's
#   ("Provided token is not valid"); deb12u7 lets a token without tid through here
#   (the issuer check still holds) and refuses an empty active_value at startup;
# - the passdb's username_filter (dovecot.conf) limits the SASL user to the tenant's domains.
introspection_mode = local
local_validation_key_dict = fs:posix:prefix=$STATE_DIR/keys/
issuers = $ISSUER
client_id = $AUD_APP
username_attribute = roles
username_format = app-only-principal
active_attribute = tid
active_value = $TENANT_ID
EOF

    write_if_changed "$DOVECOT_CONF" <<EOF
# Dovecot 2.3 for ModernAuth.Mail tests: generated by eng/test-servers.sh, do not edit.
instance_name = modernauth-mail
base_dir = $DOVECOT_RUN
state_dir = $STATE_DIR/run/dovecot-state
protocols = imap pop3 lmtp
listen = $HOST
log_path = $STATE_DIR/dovecot.log
auth_verbose = yes
auth_debug = ${MODERNAUTH_MAIL_AUTH_DEBUG:-no}
auth_failure_delay = 0
auth_cache_size = 0
auth_mechanisms = xoauth2 oauthbearer plain login
# Loopback tests may authenticate without TLS (IMAP 11143 / POP3 11110 also offer STARTTLS).
disable_plaintext_auth = no
default_process_limit = 256
default_client_limit = 2000

ssl = yes
ssl_cert = <$STATE_DIR/tls.crt
ssl_key = <$STATE_DIR/tls.key
ssl_min_protocol = TLSv1.2
$dh

mail_location = maildir:~/Maildir
mail_uid = mail
mail_gid = mail
first_valid_uid = $mail_uid
last_valid_uid = $mail_uid
mail_plugins =
mail_max_userip_connections = 1000

namespace inbox {
  inbox = yes
  separator = /
}

# 1) Passwords, for benchmarks comparing OAuth with passwords. Only PLAIN/LOGIN reach it,
#    so a token can never be checked as a password and a password never as a token.
passdb {
  driver = passwd-file
  args = $STATE_DIR/users.passwd
  mechanisms = plain login
}
# 2) Delegated tokens (aud https://outlook.office.com, SASL user = upn).
passdb {
  driver = oauth2
  args = $STATE_DIR/dovecot-oauth2.conf.ext
  mechanisms = xoauth2 oauthbearer
  result_failure = continue
  result_internalfail = continue
}
# 3) App-only tokens (aud https://outlook.office365.com, roles present, tid = tenant; any
#    mailbox of the tenant's domains). Reached only when 2) did not accept the token.
#    The two oauth2 passdbs need different args files: Dovecot shares one db per file.
passdb {
  driver = oauth2
  args = $STATE_DIR/dovecot-oauth2-app.conf.ext
  mechanisms = xoauth2 oauthbearer
  username_filter = ${filter% }
}
userdb {
  driver = static
  args = uid=mail gid=mail home=$STATE_DIR/mail/%d/%n allow_all_users=yes
}

service imap-login {
  inet_listener imap {
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = $IMAPS_PORT
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = $POP3_PORT
  }
  inet_listener pop3s {
    port = $POP3S_PORT
    ssl = yes
  }
}
service lmtp {
  unix_listener lmtp {
    mode = 0600
    user = postfix
    group = postfix
  }
}
service auth {
  unix_listener auth-postfix {
    mode = 0660
    user = postfix
    group = postfix
  }
}
# No growing login delays after failed logins (tests fail on purpose, many times).
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
protocol lmtp {
  postmaster_address = postmaster@contoso.test
}
EOF
}

write_postfix_config() {
    mkdir -p "$POSTFIX_DIR"
    write_if_changed "$POSTFIX_DIR/main.cf" <<EOF
# Postfix 3.7 for ModernAuth.Mail tests: generated by eng/test-servers.sh, do not edit.
compatibility_level = 3.6
queue_directory = $POSTFIX_QUEUE
data_directory = $STATE_DIR/postfix-data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
shlib_directory = /usr/lib/postfix
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file = $STATE_DIR/postfix.log
maillog_file_prefixes = $STATE_DIR
syslog_name = modernauth-postfix

myhostname = mail.contoso.test
mydomain = contoso.test
myorigin = \$mydomain
mydestination =
mynetworks = 127.0.0.0/8
inet_interfaces = $HOST
inet_protocols = ipv4
smtpd_banner = \$myhostname ESMTP
biff = no
append_dot_mydomain = no
alias_maps =
alias_database =
local_recipient_maps =
local_transport = error:5.1.1 local delivery is disabled
relay_domains =
relayhost =
# Mail to any other domain is accepted from an authenticated sender and then bounced
# (no relaying off this machine).
default_transport = error:5.7.1 no relaying from the test server
relay_transport = error:5.7.1 no relaying from the test server

virtual_mailbox_domains = $DOMAINS
virtual_transport = lmtp:unix:$LMTP_SOCKET

message_size_limit = 52428800
mailbox_size_limit = 0
virtual_mailbox_limit = 0
# XOAUTH2 / OAUTHBEARER initial responses of real tokens are far longer than 2048 bytes.
line_length_limit = 65536
smtpd_error_sleep_time = 0s

smtpd_tls_cert_file = $STATE_DIR/tls.crt
smtpd_tls_key_file = $STATE_DIR/tls.key
smtpd_tls_security_level = may
# Like Exchange Online: AUTH is offered only after STARTTLS.
smtpd_tls_auth_only = yes
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $AUTH_SOCKET
smtpd_sasl_security_options = noanonymous
smtpd_sasl_tls_security_options = noanonymous
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtpd_recipient_restrictions = permit_sasl_authenticated, reject
EOF

    write_if_changed "$POSTFIX_DIR/master.cf" <<EOF
# Postfix master.cf for ModernAuth.Mail tests: generated by eng/test-servers.sh.
# service type  private unpriv  chroot  wakeup  maxproc command
$HOST:$SUBMISSION_PORT inet n - n - - smtpd
  -o syslog_name=modernauth-postfix/submission
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

json_str() { # minimal JSON string escaping (paths, ids)
    local s="$1"
    s="${s//\\/\\\\}"; s="${s//\"/\\\"}"
    printf '"%s"' "$s"
}

write_servers_json() {
    local domains_json="" d
    for d in $DOMAINS; do domains_json+="${domains_json:+, }$(json_str "$d")"; done
    local client_ids_json="" c
    for c in $CLIENT_IDS; do client_ids_json+="${client_ids_json:+, }$(json_str "$c")"; done
    write_if_changed "$STATE_DIR/servers.json" >/dev/null <<EOF
{
  "schemaVersion": 1,
  "stateDir": $(json_str "$STATE_DIR"),
  "host": "$HOST",
  "ports": {
    "imap": $IMAP_PORT,
    "imaps": $IMAPS_PORT,
    "pop3": $POP3_PORT,
    "pop3s": $POP3S_PORT,
    "submission": $SUBMISSION_PORT,
    "redis": $REDIS_PORT
  },
  "tls": {
    "certificate": $(json_str "$STATE_DIR/tls.crt"),
    "subjectAltNames": ["localhost", "127.0.0.1", "mail.contoso.test"]
  },
  "tenantId": $(json_str "$TENANT_ID"),
  "issuer": $(json_str "$ISSUER"),
  "audiences": {
    "delegated": "$AUD_DELEGATED",
    "appOnly": "$AUD_APP"
  },
  "signingKey": {
    "algorithm": "RS256",
    "kid": $(json_str "$(kid)"),
    "privateKeyPem": $(json_str "$KEY_FILE"),
    "publicKeyPem": $(json_str "$PUB_FILE"),
    "clientIds": [${client_ids_json}]
  },
  "domains": [${domains_json}],
  "passwordUser": {
    "user": "$PASSWORD_USER",
    "password": "$PASSWORD_USER_PASSWORD"
  },
  "redis": "$HOST:$REDIS_PORT",
  "mailDir": $(json_str "$STATE_DIR/mail"),
  "logs": {
    "dovecot": $(json_str "$STATE_DIR/dovecot.log"),
    "postfix": $(json_str "$STATE_DIR/postfix.log"),
    "redis": $(json_str "$STATE_DIR/redis.log")
  }
}
EOF
}

# ---------------------------------------------------------------------------------------------
# Process control
# ---------------------------------------------------------------------------------------------

pid_alive() { # pidfile [process name]: a stale pid file may name a reused pid
    local pid comm
    [[ -s "$1" ]] || return 1
    pid="$(tr -d '[:space:]' <"$1")"
    [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
    [[ -z "${2:-}" ]] && return 0
    comm="$(cat "/proc/$pid/comm" 2>/dev/null || true)"
    [[ "$comm" == "$2" ]]
}

dovecot_running() { pid_alive "$DOVECOT_PID" dovecot; }
# Postfix's master writes its pid to the queue's pid/master.pid and to data_directory's
# master.lock; the second survives a deleted queue directory.
postfix_pidfile() {
    if pid_alive "$POSTFIX_PID" master; then echo "$POSTFIX_PID"
    elif pid_alive "$STATE_DIR/postfix-data/master.lock" master; then echo "$STATE_DIR/postfix-data/master.lock"
    else return 1
    fi
}
postfix_running() { postfix_pidfile >/dev/null; }
redis_running() { pid_alive "$REDIS_PID" redis-server; }

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

wait_pid_gone() { # pid, seconds
    local pid="$1" i
    for ((i = 0; i < $2 * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    return 1
}

kill_pidfile() { # pidfile name
    local pid
    pid_alive "$1" || return 0
    pid="$(tr -d '[:space:]' <"$1")"
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_pid_gone "$pid" 10; then
        log "$2 ($pid) did not stop on TERM, killing"
        kill -KILL "$pid" 2>/dev/null || true
        wait_pid_gone "$pid" 5 || true
    fi
}

start_dovecot() {
    local changed="$1"
    if dovecot_running; then
        if [[ -n "$changed" ]]; then
            log "dovecot: configuration changed, reloading"
            kill -HUP "$(tr -d '[:space:]' <"$DOVECOT_PID")"
        fi
        return 0
    fi
    mkdir -p "$DOVECOT_RUN" "$STATE_DIR/run/dovecot-state" "$STATE_DIR/mail"
    rm -f "$DOVECOT_PID" # stale: Dovecot refuses to start if its pid now names another process
    chown mail:mail "$STATE_DIR/mail"
    chmod 770 "$STATE_DIR/mail"
    doveconf -c "$DOVECOT_CONF" -n >/dev/null 2>"$STATE_DIR/dovecot-start.log" \
        || { cat "$STATE_DIR/dovecot-start.log" >&2; die "invalid Dovecot configuration"; }
    # Detached from the caller's stdin/stdout/stderr, or a caller reading our output
    # through a pipe (CI, `| tee`) would wait for Dovecot forever.
    setsid dovecot -c "$DOVECOT_CONF" </dev/null >>"$STATE_DIR/dovecot-start.log" 2>&1 \
        || { cat "$STATE_DIR/dovecot-start.log" >&2; die "dovecot did not start"; }
}

stop_dovecot() {
    dovecot_running || return 0
    doveadm -c "$DOVECOT_CONF" stop </dev/null >/dev/null 2>&1 || true
    kill_pidfile "$DOVECOT_PID" dovecot
}

postfix_cmd() { postfix -c "$POSTFIX_DIR" "$@" </dev/null >>"$STATE_DIR/postfix-start.log" 2>&1; }

start_postfix() {
    local changed="${1:-}"
    if postfix_running; then
        if [[ -n "$changed" ]]; then
            log "postfix: configuration changed, reloading"
            postfix_cmd reload || true
        fi
        return 0
    fi
    mkdir -p "$POSTFIX_QUEUE" "$STATE_DIR/postfix-data"
    chown root:root "$POSTFIX_QUEUE"
    chown postfix:postfix "$STATE_DIR/postfix-data"
    : >"$STATE_DIR/postfix-start.log"
    # `postfix start` runs its own checks and creates the queue's sub-directories with the
    # owners Postfix insists on (a separate set-permissions + check costs 2 s more).
    postfix_cmd start || { cat "$STATE_DIR/postfix-start.log" >&2; tail -n 40 "$STATE_DIR/postfix.log" >&2 || true; die "postfix did not start"; }
}

stop_postfix() {
    local pidfile
    pidfile="$(postfix_pidfile)" || return 0
    if [[ -f "$POSTFIX_DIR/main.cf" ]]; then postfix_cmd stop || true; fi
    kill_pidfile "$pidfile" postfix
}

start_redis() {
    redis_running && return 0
    mkdir -p "$REDIS_DIR"
    redis-server --bind "$HOST" --port "$REDIS_PORT" --daemonize yes \
        --pidfile "$REDIS_PID" --logfile "$STATE_DIR/redis.log" --dir "$REDIS_DIR" \
        --save '' --appendonly no --protected-mode yes \
        </dev/null >/dev/null 2>&1 || { tail -n 20 "$STATE_DIR/redis.log" >&2 || true; die "redis did not start"; }
}

stop_redis() {
    redis_running || return 0
    kill_pidfile "$REDIS_PID" redis
    rm -f "$REDIS_PID"
}

wait_ports() { # ports...
    local deadline=$(( $(date +%s) + 30 )) p missing
    while :; do
        missing=""
        for p in "$@"; do port_open "$p" || missing+=" $p"; done
        [[ -z "$missing" ]] && return 0
        if (( $(date +%s) >= deadline )); then
            log "ports not accepting connections after 30 s:$missing"
            local f
            for f in dovecot.log dovecot-start.log postfix.log postfix-start.log redis.log; do
                [[ -s "$STATE_DIR/$f" ]] || continue
                printf '==== last 40 lines of %s ====\n' "$STATE_DIR/$f" >&2
                tail -n 40 "$STATE_DIR/$f" >&2
            done
            exit 1
        fi
        sleep 0.1
    done
}

prepare() {
    [[ "$(id -u)" == 0 ]] || die "run as root"
    mkdir -p "$STATE_DIR"
    chmod 755 "$STATE_DIR"
    install_packages
    make_keys
}

cmd_start() {
    local t0; t0=$(now_ms)
    prepare
    local dc pc
    dc="$(write_dovecot_config)"
    pc="$(write_postfix_config)"
    write_servers_json
    start_redis
    start_dovecot "$dc"
    wait_ports "$IMAP_PORT" "$IMAPS_PORT" "$POP3_PORT" "$POP3S_PORT"
    local i
    for ((i = 0; i < 100; i++)); do [[ -S "$AUTH_SOCKET" && -S "$LMTP_SOCKET" ]] && break; sleep 0.1; done
    start_postfix "$pc"
    wait_ports "$IMAP_PORT" "$IMAPS_PORT" "$POP3_PORT" "$POP3S_PORT" "$SUBMISSION_PORT" "$REDIS_PORT"
    chmod 644 "$STATE_DIR/dovecot.log" 2>/dev/null || true
    log "running (state in $STATE_DIR, $(( $(now_ms) - t0 )) ms)"
}

cmd_start_smtp() {
    prepare
    local pc
    pc="$(write_postfix_config)"
    dovecot_running || log "warning: dovecot is not running (SASL and delivery will fail)"
    start_postfix "$pc"
    wait_ports "$SUBMISSION_PORT"
}

cmd_stop() {
    stop_postfix
    stop_dovecot
    stop_redis
    log "stopped"
}

cmd_status() {
    local all=0 name state
    for name in dovecot postfix redis; do
        if "${name}_running"; then state=running; else state=stopped; all=3; fi
        printf '%-8s %s\n' "$name" "$state"
    done
    local p
    for p in "$IMAP_PORT:imap" "$IMAPS_PORT:imaps" "$POP3_PORT:pop3" "$POP3S_PORT:pop3s" \
             "$SUBMISSION_PORT:submission" "$REDIS_PORT:redis"; do
        if port_open "${p%%:*}"; then state=open; else state=closed; fi
        printf '%-11s %s:%s %s\n' "${p#*:}" "$HOST" "${p%%:*}" "$state"
    done
    printf 'state dir   %s\n' "$STATE_DIR"
    return "$all"
}

cmd_env() {
    local k; k="$(kid)"
    local -a vars=(
        "MODERNAUTH_MAIL_SERVERS_DIR=$STATE_DIR"
        "MODERNAUTH_MAIL_SERVERS_JSON=$STATE_DIR/servers.json"
        "MODERNAUTH_MAIL_HOST=$HOST"
        "MODERNAUTH_MAIL_IMAP_PORT=$IMAP_PORT"
        "MODERNAUTH_MAIL_IMAPS_PORT=$IMAPS_PORT"
        "MODERNAUTH_MAIL_POP3_PORT=$POP3_PORT"
        "MODERNAUTH_MAIL_POP3S_PORT=$POP3S_PORT"
        "MODERNAUTH_MAIL_SUBMISSION_PORT=$SUBMISSION_PORT"
        "MODERNAUTH_MAIL_REDIS=$HOST:$REDIS_PORT"
        "MODERNAUTH_MAIL_TENANT_ID=$TENANT_ID"
        "MODERNAUTH_MAIL_ISSUER=$ISSUER"
        "MODERNAUTH_MAIL_DOMAINS=$DOMAINS"
        "MODERNAUTH_MAIL_SIGNING_KEY=$KEY_FILE"
        "MODERNAUTH_MAIL_SIGNING_PUBLIC_KEY=$PUB_FILE"
        "MODERNAUTH_MAIL_SIGNING_KID=$k"
        "MODERNAUTH_MAIL_TLS_CERT=$STATE_DIR/tls.crt"
    )
    local v
    for v in "${vars[@]}"; do printf 'export %s=%q\n' "${v%%=*}" "${v#*=}"; done
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    env) cmd_env ;;
    stop-smtp) stop_postfix; log "postfix stopped" ;;
    start-smtp) cmd_start_smtp ;;
    *) echo "usage: $0 start|stop|status|env|stop-smtp|start-smtp" >&2; exit 2 ;;
esac
