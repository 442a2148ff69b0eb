#!/usr/bin/env bash
# Builds the opensoc .deb (dpkg-deb) or .rpm (rpmbuild -bb) from the meson
# install: `meson install --destdir STAGE` of a build dir, then the staged tree
# is packaged as is (packaging/debian/*, packaging/rpm/opensoc.spec.in).
#
#   packaging/build.sh deb|rpm [BUILD_DIR] [OUT_DIR]
#
# BUILD_DIR (default ./build) should be configured with --prefix=/usr (meson
# then uses /etc and /var). If it has another prefix, a dedicated release build
# dir, build-pkg next to the source, is configured and built instead
# (--prefix=/usr --sysconfdir=/etc --localstatedir=/var --buildtype=release
# -Dtests=false). OPENSOC_PKG_RELOCATE=1 packages the given build dir anyway,
# moving its install from PREFIX to /usr: opensocd embeds no install path (it
# reads /etc/opensoc/opensoc.yaml by default whatever the prefix), so this is
# exact; the package test uses it to package the build under test.
# OUT_DIR (default BUILD_DIR/packages) receives the package and the staged
# tree (OUT_DIR/stage); the last line printed is the package's path.
set -euo pipefail

usage() {
	echo "usage: packaging/build.sh deb|rpm [BUILD_DIR] [OUT_DIR]" >&2
	exit 2
}
[[ $# -ge 1 && $# -le 3 ]] || usage
kind=$1
[[ $kind == deb || $kind == rpm ]] || usage

here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
build=$(realpath -m "${2:-$src/build}")

die() {
	echo "packaging/build.sh: $*" >&2
	exit 1
}

# prefix sysconfdir localstatedir sbindir of a configured build dir, the
# relative ones made absolute the way meson does.
install_dirs() {
	meson introspect --buildoptions "$1" | python3 -c '
import json, os, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
p = o["prefix"]
print(p, *(os.path.join(p, o[k]) for k in ("sysconfdir", "localstatedir")), o["sbindir"])'
}

[[ -f $build/meson-info/intro-buildoptions.json ]] || die "$build is not a configured meson build dir"
read -r prefix sysconfdir localstatedir sbindir < <(install_dirs "$build")
relocate=0
if [[ $prefix == /usr && $sysconfdir == /etc && $localstatedir == /var ]]; then
	:
elif [[ ${OPENSOC_PKG_RELOCATE:-0} == 1 ]]; then
	relocate=1
else
	pkg_build=$src/build-pkg
	echo "packaging/build.sh: $build has prefix $prefix; using $pkg_build (prefix /usr, release)" >&2
	if [[ ! -f $pkg_build/meson-info/intro-buildoptions.json ]]; then
		meson setup "$pkg_build" "$src" --prefix=/usr --sysconfdir=/etc --localstatedir=/var \
			--buildtype=release -Dtests=false >&2
	fi
	build=$pkg_build
	read -r prefix sysconfdir localstatedir sbindir < <(install_dirs "$build")
fi
[[ $sbindir == sbin ]] || die "sbindir must be sbin (is $sbindir)"

out=$(realpath -m "${3:-$build/packages}")
work=$out/work
stage=$out/stage
mkdir -p "$out"
rm -rf "$work" "$stage"
mkdir -p "$work"

# Who the packages name as their maintainer (Debian's DEBFULLNAME/DEBEMAIL).
maintainer="${DEBFULLNAME:-OpenSOC maintainers} <${DEBEMAIL:-opensoc-maintainers@example.org}>"

# The changelog entries' date: the last commit's, so a rebuild is identical.
when=$(git -C "$src" log -1 --format=%ct 2>/dev/null || date +%s)

version=$(meson introspect --projectinfo "$build" | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')

# Only what is installed is built: in a tests build, `meson install` alone
# would build every test first.
ninja -C "$build" src/opensocd packaging/opensoc.yaml >&2
meson install -C "$build" --no-rebuild --strip --quiet --destdir "$work/install" >&2

# The stage always has the /usr, /etc, /var layout.
if ((relocate)); then
	move() { # FROM TO
		[[ -e $1 ]] || return 0
		mkdir -p "$(dirname "$2")"
		mv "$1" "$2"
	}
	mkdir -p "$stage"
	move "$work/install$sysconfdir" "$stage/etc"
	move "$work/install$localstatedir" "$stage/var"
	move "$work/install$prefix" "$stage/usr"
	leftover=$(find "$work/install" -type f -o -type l)
	[[ -z $leftover ]] || die "installed outside prefix, sysconfdir and localstatedir: $leftover"
else
	mv "$work/install" "$stage"
fi

unit=$stage/usr/lib/systemd/system/opensocd.service
if [[ ! -f $unit && -n ${OPENSOC_PKG_UNIT:-} ]]; then
	# Only the package test sets this, while systemd/opensocd.service is not
	# in the tree yet.
	install -D -m 0644 "$OPENSOC_PKG_UNIT" "$unit"
fi
for f in usr/sbin/opensocd etc/opensoc/opensoc.yaml usr/lib/systemd/system/opensocd.service \
	usr/lib/sysusers.d/opensoc.conf usr/lib/tmpfiles.d/opensoc.conf etc/logrotate.d/opensoc \
	usr/share/doc/opensoc/copyright usr/share/doc/opensoc/README.md usr/share/man/man8/opensocd.8; do
	[[ -f $stage/$f ]] || die "the install lacks /$f (reconfigure $build if it was added since)"
done
for d in var/lib/opensoc var/log/opensoc; do
	[[ -d $stage/$d ]] || die "the install lacks /$d"
done

# Modes independent of the umask the install ran with; owners come from the
# package tools (dpkg-deb --root-owner-group, the spec's %attr) and postinst.
find "$stage" -type d -exec chmod 0755 {} +
find "$stage" -type f -exec chmod 0644 {} +
chmod 0755 "$stage/usr/sbin/opensocd"

# A script template with the shared setup functions inlined at @SETUP@.
expand() { # TEMPLATE FORMAT
	local text setup
	text=$(<"$1")
	setup=$(<"$here/common/setup.sh")
	text=${text//@SETUP@/"$setup"}
	text=${text//@VERSION@/"$version"}
	text=${text//@MAINTAINER@/"$maintainer"}
	text=${text//@CHANGELOG_DATE@/"$(LC_ALL=C date -u -d "@$when" '+%a %b %d %Y')"}
	printf '%s\n' "$text"
}

build_deb() {
	local root=$work/deb arch deps
	cp -a "$stage" "$root"
	arch=$(dpkg --print-architecture)
	local doc=$root/usr/share/doc/opensoc
	printf 'opensoc (%s) unstable; urgency=medium\n\n  * Built from the meson install by packaging/build.sh.\n\n -- %s  %s\n' \
		"$version" "$maintainer" "$(date -R -u -d "@$when")" | gzip -9n >"$doc/changelog.gz"
	chmod 0644 "$doc/changelog.gz"
	gzip -9n "$root/usr/share/man/man8/opensocd.8"

	# Library dependencies as dh_shlibdeps computes them: from the binary's
	# NEEDED entries and the installed libraries' shlibs/symbols files.
	mkdir -p "$work/shlibdeps/debian"
	printf 'Source: opensoc\n\nPackage: opensoc\nArchitecture: any\n' >"$work/shlibdeps/debian/control"
	deps=$(cd "$work/shlibdeps" && dpkg-shlibdeps -O -e"$root/usr/sbin/opensocd" 2>"$work/shlibdeps.log" |
		sed -n 's/^shlibs:Depends=//p') || { cat "$work/shlibdeps.log" >&2; die "dpkg-shlibdeps failed"; }
	[[ -n $deps ]] || die "dpkg-shlibdeps found no dependencies"
	# adduser: postinst's fallback without systemd-sysusers; openssl: the
	# self-signed pair.
	deps="$deps, adduser, openssl"

	mkdir -m 0755 "$root/DEBIAN"
	local control
	control=$(expand "$here/debian/control.in")
	control=${control//@ARCH@/"$arch"}
	control=${control//@DEPENDS@/"$deps"}
	control=${control//@INSTALLED_SIZE@/$(du -sk --exclude=DEBIAN "$root" | cut -f1)}
	printf '%s\n' "$control" >"$root/DEBIAN/control"
	# Every file under /etc is a conffile: dpkg keeps an admin's edits.
	(cd "$root" && find etc -type f | sort | sed 's|^|/|') >"$root/DEBIAN/conffiles"
	(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\n' | LC_ALL=C sort |
		xargs -d '\n' md5sum) >"$root/DEBIAN/md5sums"
	for s in postinst prerm postrm; do
		expand "$here/debian/$s" >"$root/DEBIAN/$s"
		chmod 0755 "$root/DEBIAN/$s"
	done
	chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"

	local deb=$out/opensoc_${version}_${arch}.deb
	dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >&2
	echo "$deb"
}

build_rpm() {
	local top=$work/rpm
	mkdir -p "$top"/{BUILD,RPMS,SOURCES,SPECS,SRPMS}
	expand "$here/rpm/opensoc.spec.in" >"$top/SPECS/opensoc.spec"
	rpmbuild -bb --quiet \
		--define "_topdir $top" \
		--define "stagedir $stage" \
		--define "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm" \
		"$top/SPECS/opensoc.spec" >&2
	local rpm
	rpm=$(find "$top/RPMS" -name 'opensoc-*.rpm' | head -n 1)
	[[ -n $rpm ]] || die "rpmbuild made no package"
	mv "$rpm" "$out/"
	echo "$out/$(basename "$rpm")"
}

package=$("build_$kind")
rm -rf "$work"
echo "$package"
