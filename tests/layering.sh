#!/bin/bash
# The layering of the code (doc/DESIGN-NOTES.md "Layers"), checked from the
# include lines: each folder may include only the folders below it. Run by
# `make lint`; prints one line per include that runs against the layers and
# exits 1 when there is any.
#
#   analyzer/base      system headers only (and base/)
#   analyzer/model     base
#   analyzer/input     base model
#   analyzer/derive    base model
#   rules              base model derive
#   analyzer/diagnose  base model derive rules
#   analyzer/report    base model
#   analyzer/cli       anything
#   probes             base
cd "$(dirname "$0")/.." || exit 1
declare -A allowed=(
	[analyzer/base]="base"
	[analyzer/model]="base model"
	[analyzer/input]="base model input"
	[analyzer/derive]="base model derive"
	[rules]="base model derive rules"
	[analyzer/diagnose]="base model derive rules diagnose"
	[analyzer/report]="base model report"
	[analyzer/cli]="base model input derive rules diagnose report cli probes"
	[probes]="base probes"
)
bad=0
for dir in "${!allowed[@]}"; do
	own=${dir#analyzer/}
	for f in "$dir"/*.[ch]; do
		[ -e "$f" ] || continue
		while IFS= read -r inc; do
			# a bare name is a file of the same folder
			if [[ $inc != */* ]]; then layer=$own; else layer=${inc%%/*}; fi
			[ "$layer" = analyzer ] && { layer=${inc#analyzer/}; layer=${layer%%/*}; }
			if [[ " ${allowed[$dir]} " != *" $layer "* ]]; then
				echo "layering: $f includes \"$inc\": $own may include only: ${allowed[$dir]}"
				bad=1
			fi
		done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
	done
done
# every source folder is in the table
for d in analyzer/*/ rules/ probes/; do
	d=${d%/}
	[ -n "${allowed[$d]+x}" ] || { echo "layering: $d is in no layer (tests/layering.sh)"; bad=1; }
done
exit $bad
