#!/usr/bin/env python3
# extract.py — writes every manifest embedded in the course material
# (/work/shared/seeds/*.txt, or the directory given as the first argument)
# into this directory, one file per fenced block, so test_seeds.sh can apply
# them with kubectl.
#
# A fenced block (``` ... ```) is a manifest when it has a top-level
# `apiVersion:` or `kind:` line. Its text is written verbatim, with only
# what is not part of the manifest taken away (README.md lists each case):
#   - a shell transcript around the YAML (a prompt line `root@host:~# cmd`
#     or `$ cmd`, and the command's log lines before the YAML starts);
#   - vim's end-of-buffer marker: a line that is exactly `~`.
# Everything else (typos, wrong indentation, `[...]` elisions, lines broken
# by the PDF conversion, template markup) is kept: kubectl must answer the
# material as it was written.
#
# File names: SEED-NN-KIND-NAME.yaml, SEED the seed file's number, NN the
# manifest's position in that file (1-based), KIND and NAME from the
# manifest's text (`noname` when metadata has no name).
import glob
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PROMPT = re.compile(r'^(\$ |\S+@\S+:.*[#$] ?)')
TOPKEY = re.compile(r'^[A-Za-z"][\w"]*:')


def blocks(lines):
	"""Yields (first line number, lines) of each fenced block."""
	start = None
	for i, line in enumerate(lines):
		if line.strip().startswith('```'):
			if start is None:
				start = i
			else:
				yield start + 2, lines[start + 1:i]
				start = None


def is_manifest(blk):
	return any(re.match(r'^(apiVersion|kind):', l) for l in blk)


def strip_transcript(blk):
	"""Keeps the YAML printed by a command in a shell transcript."""
	if not blk or not PROMPT.match(blk[0]):
		return blk
	body = blk[1:]
	while body and not TOPKEY.match(body[0]):
		body = body[1:]
	end = len(body)
	for i, line in enumerate(body):
		if PROMPT.match(line):
			end = i
			break
	return body[:end]


def top_value(blk, key):
	for l in blk:
		m = re.match(r'^%s:\s*("?)([^"#]*?)\1\s*(#.*)?$' % key, l)
		if m:
			return m.group(2).strip()
	return ''


def meta_name(blk):
	"""metadata.name: the `name:` at the indentation of metadata's children."""
	inside, indent = False, None
	for l in blk:
		if re.match(r'^metadata:', l):
			inside = True
			continue
		if not inside or not l.strip() or l.lstrip().startswith('#'):
			continue
		ind = len(l) - len(l.lstrip())
		if ind == 0:
			break
		if indent is None:
			indent = ind
		m = re.match(r'^ {%d}name:\s*(.*?)\s*$' % indent, l)
		if m and ind == indent:
			return m.group(1)
	return ''


def slug(s):
	s = re.sub(r'[^a-z0-9]+', '-', s.lower()).strip('-')
	return s[:40].strip('-') or 'noname'


def main():
	src = sys.argv[1] if len(sys.argv) > 1 else '/work/shared/seeds'
	for old in glob.glob(os.path.join(HERE, '[0-9][0-9][0-9]-*.yaml')):
		os.remove(old)
	total = 0
	for path in sorted(glob.glob(os.path.join(src, '*.txt'))):
		seed = os.path.basename(path).split('_')[0]
		with open(path, encoding='utf-8') as f:
			lines = f.read().split('\n')
		n = 0
		for lineno, blk in blocks(lines):
			if not is_manifest(blk):
				continue
			blk = [l for l in strip_transcript(blk) if l != '~']
			n += 1
			kind = slug(top_value(blk, 'kind'))
			name = slug(meta_name(blk))
			out = '%s-%02d-%s-%s.yaml' % (seed, n, kind, name)
			with open(os.path.join(HERE, out), 'w', encoding='utf-8') as f:
				f.write('\n'.join(blk).rstrip('\n') + '\n')
			print('%s  <- %s:%d' % (out, os.path.basename(path), lineno))
		total += n
	print('%d manifests' % total, file=sys.stderr)


if __name__ == '__main__':
	main()
