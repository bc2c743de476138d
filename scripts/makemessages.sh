#!/bin/sh
# Re-extract the zh_Hans catalogues: the project's (fangkong/locale: shared templates and
# lib/) and one per app (fangkong/<app>/locale). Each string lands in the catalogue of the
# folder it is written in; then translate the new entries and run `make messages`.
set -e
cd "$(dirname "$0")/../fangkong"
FK=../.venv/bin/fangkong
IGNORE=""
for d in */; do
  d=${d%/}
  case $d in lib|templates|locale|static) ;; *) IGNORE="$IGNORE --ignore=$d/*";; esac
done
# shellcheck disable=SC2086
$FK makemessages -l zh_Hans $IGNORE --ignore='static/*' --no-obsolete -v 0
for app in */apps.py; do
  app=${app%/apps.py}
  (cd "$app" && ../$FK makemessages -l zh_Hans --no-obsolete -v 0)
done
