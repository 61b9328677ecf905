/* SPDX-License-Identifier: ISC */
/*
 * src/txt_record.c - picking versioned tag=value records out of TXT
 */
#include <string.h>

#include "mailcheck/txt_record.h"
#include "banned.h"

int
mc_txt_has_version(const char *txt, size_t len, const char *vtag)
{
	size_t i = 0, vl = strlen(vtag);

	while (i < len && (txt[i] == ' ' || txt[i] == '\t'))
		i++;
	if (len - i < vl || memcmp(txt + i, vtag, vl) != 0)
		return 0;
	for (i += vl; i < len && (txt[i] == ' ' || txt[i] == '\t'); i++)
		;
	return i == len || txt[i] == ';';
}
