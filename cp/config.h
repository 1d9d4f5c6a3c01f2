/* SPDX-License-Identifier: MIT */
/*
 * cp/config.h - the system configuration (vmrv.conf).
 *
 * A plain text file of `key = value` lines; `#` starts a comment, blank
 * lines are ignored, keys are case-insensitive.  Every setting has a
 * default compiled in (cp_config_defaults), so an empty file, or no file,
 * is a working configuration.  etc/vmrv.conf lists every key with its
 * default.  Unknown keys, repeated keys (except `logmsg`, which adds a
 * line each time) and bad values are errors that name the line.
 *
 * Value kinds:  size    a number with an optional K, M, G or T suffix
 *                       (binary: 1K = 1024)
 *               time    seconds, or a number with s, m, h or d
 *               count   a plain number
 *               bool    yes/no, on/off, true/false, 1/0
 *               string  the rest of the line, trimmed
 *
 * This file knows nothing of the rest of CP: the system (cp/system.c)
 * reads the struct.  Not thread-safe while loading; read-only afterwards.
 */
#ifndef CP_CONFIG_H
#define CP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CP_CONFIG_PATH_MAX 1024
#define CP_LOGMSG_MAX_LINES 16
#define CP_LOGMSG_LINE_MAX 160

struct cp_config {
    char data_dir[CP_CONFIG_PATH_MAX]; /* data folder ("" = datadir_default()) */
    char listen_address[64]; /* default "127.0.0.1" */
    unsigned listen_port; /* default 2222; 0 = any free port */
    uint64_t real_storage; /* bytes of host memory for guest frames */
    char paging_file[CP_CONFIG_PATH_MAX]; /* relative to data_dir unless absolute */
    uint64_t paging_size; /* largest size of the paging file */
    uint64_t spool_size; /* the spool's space (DATA/spool) at most */
    unsigned dispatchers; /* 0 = one per core */
    unsigned max_vms; /* logged-on users at most */
    uint64_t committed_storage; /* sum of all VMs' storage sizes at most */
    uint64_t tdisk_max; /* largest T-disk (DEFINE TDISK) */
    uint64_t tdisk_total; /* all users' T-disks together at most; 0 = none allowed */
    unsigned logmsg_lines;
    char logmsg[CP_LOGMSG_MAX_LINES][CP_LOGMSG_LINE_MAX];
    unsigned idle_disconnect_s; /* connected but no input: disconnect; 0 = never */
    unsigned disconnect_timeout_s; /* disconnected and reading: logoff; 0 = never */
    unsigned ssh_channels; /* session channels one SSH connection may have open */
    unsigned ssh_empty_timeout_s; /* a connection with no channel is closed; 0 = never */
    char timezone[64]; /* "" = the host's; else a TZ name such as "UTC" */
    char system_name[9]; /* up to 8 characters, upper case */
    int log_level; /* CPLOG_* of cp/log.h */
    bool log_stderr; /* copy the operator's log to stderr */
    unsigned console_ring_kib; /* console output ring per VM */
    unsigned slice_ms; /* dispatcher time slice */
    char cms_nucleus[CP_CONFIG_PATH_MAX]; /* CMS's ELF ("" = found by vmrv ipl) */
    char sdisk_image[CP_CONFIG_PATH_MAX]; /* MAINT's 190 at first start ("" = found) */
};

/* Fills cfg with every default.  Never fails. */
void cp_config_defaults(struct cp_config *cfg);

/* Applies the settings in text (a whole file's contents, NUL terminated) on
 * top of what cfg holds.  `name` is used in error messages.  Returns 0, or
 * -1 with a message "name:LINE: ..." in err (err may be NULL).  On error
 * cfg may be partly changed: load into a copy if that matters. */
int cp_config_parse(struct cp_config *cfg, const char *name, const char *text, char *err,
                    size_t errlen);

/* cp_config_defaults, then the file at path.  A missing file is an error
 * unless missing_ok, in which case the defaults stand.  0 or -1 + err. */
int cp_config_load(struct cp_config *cfg, const char *path, bool missing_ok, char *err,
                   size_t errlen);

/* One `key = value` setting, as the file would say it.  0 or -1 + err. */
int cp_config_set(struct cp_config *cfg, const char *key, const char *value, char *err,
                  size_t errlen);

/* Writes every setting as `key = value` lines (for `vmrv ipl --show-config`
 * and the tests).  Returns the length that was needed, like snprintf. */
size_t cp_config_dump(const struct cp_config *cfg, char *buf, size_t buflen);

/* Helpers shared with the CP commands: "32M" -> bytes, and back. */
int cp_parse_size(const char *s, uint64_t *out);
void cp_format_size(uint64_t bytes, char *buf, size_t buflen);

#endif /* CP_CONFIG_H */
