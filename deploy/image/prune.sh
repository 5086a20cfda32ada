#!/bin/sh
# Removes from the runtime image every package that was installed over the base
# image (listed in BASE_LIST) and that neither the programs given nor the
# libvips modules wmory uses load, then what the image needs no more (apt's
# caches, documentation). Debian's ffmpeg depends on X11, sound servers, Mesa
# and LLVM for devices and filters wmory never opens: its libraries link some
# of them (those stay); Mesa's drivers and LLVM are only loaded on demand
# (those go).
#
#   prune.sh BASE_LIST PROGRAM...
set -eu
base=$1
shift
modules=
for d in /usr/lib/*/vips-modules-*; do
	[ -d "$d" ] && modules=$d
done

# libvips loads its format modules on demand: keep HEIF/AVIF, drop the ones
# for formats wmory does not accept (ImageMagick, PDF, slides, JPEG XL).
if [ -n "$modules" ]; then
	rm -f "$modules"/vips-magick.so "$modules"/vips-poppler.so "$modules"/vips-openslide.so "$modules"/vips-jxl.so
fi

roots="$*"
for m in "$modules"/*.so; do
	[ -f "$m" ] && roots="$roots $m"
done
needed=$(mktemp)
for f in $roots; do
	echo "$f"
	ldd "$f" | awk '/=>/ { print $3 } /^\t\// { print $1 }'
done | while read -r f; do readlink -f "$f"; done | sort -u > "$needed"

keep=$(mktemp)
# Packages that own a needed file (under its real path or its /usr-merged twin).
sed 's|^/usr/lib/|/lib/|' "$needed" | cat - "$needed" | xargs dpkg -S 2>/dev/null | cut -d: -f1 | tr ',' '\n' | sed 's/ //g' | sort -u > "$keep"
# The base image's packages, the trust store and time zones stay.
cat "$base" >> "$keep"
printf '%s\n' ca-certificates tzdata >> "$keep"
sort -u -o "$keep" "$keep"

drop=$(dpkg-query -W -f='${Package}\n' | sort -u | comm -23 - "$keep")
if [ -n "$drop" ]; then
	# --force-depends: the packages that stay declare dependencies on some of
	# these (for features wmory does not use); what they link is kept above.
	# Package names hold no spaces: the list splits into arguments.
	# shellcheck disable=SC2086
	dpkg --purge --force-depends $drop >/dev/null
fi

# Everything the kept programs link must still resolve.
for f in $roots; do
	if ldd "$f" | grep -q 'not found'; then
		echo "prune: $f lost a library:" >&2
		ldd "$f" | grep 'not found' >&2
		exit 1
	fi
done

rm -rf /usr/share/doc/* /usr/share/man/* /usr/share/info/* /usr/share/lintian /var/cache/apt/* /var/lib/apt/lists/* /var/log/apt /var/log/dpkg.log
rm -f "$needed" "$keep"
echo "prune: removed $(echo "$drop" | wc -w) packages, kept $(dpkg-query -W -f='${Package}\n' | wc -l)"
