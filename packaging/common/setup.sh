# Shared by the deb postinst and the rpm %pre/%post: packaging/build.sh inlines
# this file where a script says @SETUP@, after setting OPENSOC_PKG_FORMAT.
# Every step is idempotent (an upgrade runs it again) and leaves what an
# admin changed alone: dpkg-statoverride entries, an existing TLS pair.

# Set up the same account systemd-sysusers would from
# /usr/lib/sysusers.d/opensoc.conf (which rpm has not unpacked yet in %pre).
opensoc_create_user() {
	if getent passwd opensoc >/dev/null; then
		return 0
	fi
	if command -v systemd-sysusers >/dev/null 2>&1; then
		echo 'u opensoc - "OpenSOC appliance" /var/lib/opensoc' |
			systemd-sysusers --replace=/usr/lib/sysusers.d/opensoc.conf - >/dev/null
	elif [ "$OPENSOC_PKG_FORMAT" = deb ]; then
		adduser --system --group --quiet --home /var/lib/opensoc --no-create-home \
			--gecos "OpenSOC appliance" opensoc
	else
		getent group opensoc >/dev/null || groupadd -r opensoc
		useradd -r -g opensoc -d /var/lib/opensoc -M -s /sbin/nologin \
			-c "OpenSOC appliance" opensoc
	fi
}

opensoc_overridden() {
	command -v dpkg-statoverride >/dev/null 2>&1 && dpkg-statoverride --list "$1" >/dev/null 2>&1
}

# Data and logs hold raw traffic: the service user only. The config is
# readable by the group so a reload after the privilege switch can read it.
opensoc_fix_owners() {
	for dir in /var/lib/opensoc /var/log/opensoc; do
		mkdir -p "$dir"
		if ! opensoc_overridden "$dir"; then
			chown opensoc:opensoc "$dir"
			chmod 0750 "$dir"
		fi
	done
	conf=/etc/opensoc/opensoc.yaml
	if [ -f "$conf" ] && ! opensoc_overridden "$conf"; then
		chown root:opensoc "$conf"
		chmod 0640 "$conf"
	fi
}

# A self-signed pair for the HTTPS API (http.tls in the packaged config),
# made once; replace both files with your own certificate and reload.
opensoc_make_tls() {
	tls=/etc/opensoc/tls
	if [ -e "$tls/server.crt" ] || [ -e "$tls/server.key" ]; then
		return 0
	fi
	mkdir -p "$tls"
	chown root:opensoc "$tls"
	chmod 0750 "$tls"
	cn=$(hostname -f 2>/dev/null || true)
	[ -n "$cn" ] || cn=$(hostname 2>/dev/null || true)
	[ -n "$cn" ] || cn=localhost
	if ! (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		-nodes -days 825 -subj "/CN=$cn" \
		-addext "subjectAltName=DNS:$cn,DNS:localhost,IP:127.0.0.1,IP:::1" \
		-addext "extendedKeyUsage=serverAuth" \
		-keyout "$tls/server.key.new" -out "$tls/server.crt.new" >/dev/null 2>&1); then
		rm -f "$tls/server.key.new" "$tls/server.crt.new"
		echo "opensoc: could not create a TLS pair in $tls (openssl failed):" \
			"put server.crt and server.key there before starting opensocd" >&2
		return 0
	fi
	chown root:opensoc "$tls/server.key.new"
	chmod 0640 "$tls/server.key.new"
	chmod 0644 "$tls/server.crt.new"
	mv "$tls/server.key.new" "$tls/server.key"
	mv "$tls/server.crt.new" "$tls/server.crt"
}
