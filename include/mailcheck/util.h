/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/util.h - the old catch-all header, kept so existing includes work
 *
 * What it held is split by subject: domain names (domain.h), escaping
 * (escape.h), addresses (addr.h), formatted strings (arena.h,
 * mc_vasprintf()).  New code includes the header of its subject.
 */
#ifndef MAILCHECK_UTIL_H
#define MAILCHECK_UTIL_H

#include "mailcheck/addr.h"
#include "mailcheck/arena.h"
#include "mailcheck/domain.h"
#include "mailcheck/escape.h"

#endif
