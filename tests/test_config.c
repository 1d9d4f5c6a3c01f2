// SPDX-License-Identifier: MIT
/*
 * tests/test_config.c - cmocka tests of cp/config.c: defaults, a good
 * file, every kind of error with its line number, and that etc/vmrv.conf
 * (every setting commented out at its default) matches the built-in
 * defaults.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cp/config.h"
#include "cp/log.h"
#include "tests/test_cp_harness.h"

static void
test_defaults(void **state)
{
    struct cp_config c;
    cp_config_defaults(&c);
    assert_string_equal(c.data_dir, "");
    assert_string_equal(c.listen_address, "127.0.0.1");
    assert_int_equal(c.listen_port, 2222);
    assert_int_equal(c.dispatchers, 0);
    assert_int_equal(c.disconnect_timeout_s, 15 * 60);
    assert_int_equal(c.idle_disconnect_s, 0);
    assert_int_equal(c.ssh_channels, 10);
    assert_int_equal(c.ssh_empty_timeout_s, 3600);
    assert_int_equal(c.real_storage, 1ull << 30);
    assert_string_equal(c.system_name, "VMRV");
    assert_int_equal(c.log_level, CPLOG_INFO);
    assert_int_equal(c.console_ring_kib, 64);
    assert_int_equal(c.slice_ms, 10);
    assert_int_equal(c.logmsg_lines, 0);
    assert_string_equal(c.timezone, "");
}

static void
test_good_file(void **state)
{
    struct cp_config c;
    cp_config_defaults(&c);
    char err[256] = "";
    const char *text = "# comment\n"
                       "\n"
                       "  Listen_Port = 0   # any free port\n"
                       "listen_address=0.0.0.0\n"
                       "real_storage = 512M\n"
                       "committed_storage = 2g\n"
                       "dispatchers = 3\n"
                       "max_vms = 10\n"
                       "logmsg = Welcome to the test system\n"
                       "logmsg = Second line\n"
                       "idle_disconnect = 2h\n"
                       "disconnect_timeout = 0\n"
                       "ssh_channels = 3\n"
                       "ssh_empty_timeout = 0\n"
                       "system_name = test1\n"
                       "log_level = debug\n"
                       "log_stderr = yes\n"
                       "slice = 5ms\n"
                       "console_ring = 8K\n"
                       "timezone = UTC";
    assert_int_equal(cp_config_parse(&c, "t.conf", text, err, sizeof err), 0);
    assert_int_equal(c.listen_port, 0);
    assert_string_equal(c.listen_address, "0.0.0.0");
    assert_int_equal(c.real_storage, 512ull << 20);
    assert_int_equal(c.committed_storage, 2ull << 30);
    assert_int_equal(c.dispatchers, 3);
    assert_int_equal(c.max_vms, 10);
    assert_int_equal(c.logmsg_lines, 2);
    assert_string_equal(c.logmsg[1], "Second line");
    assert_int_equal(c.idle_disconnect_s, 7200);
    assert_int_equal(c.disconnect_timeout_s, 0);
    assert_int_equal(c.ssh_channels, 3);
    assert_int_equal(c.ssh_empty_timeout_s, 0);
    assert_string_equal(c.system_name, "TEST1");
    assert_int_equal(c.log_level, CPLOG_DEBUG);
    assert_true(c.log_stderr);
    assert_int_equal(c.slice_ms, 5);
    assert_int_equal(c.console_ring_kib, 8);
    assert_string_equal(c.timezone, "UTC");
}

struct bad {
    const char *text;
    const char *expect; /* substring of the error */
};

static void
test_errors(void **state)
{
    static const struct bad cases[] = {
        {"frobnicate = 1\n", "t.conf:1: unknown setting 'frobnicate'"},
        {"\n\nlisten_port\n", "t.conf:3: expected 'key = value'"},
        {"listen_port = 70000\n", "t.conf:1: listen_port = 70000: value out of range"},
        {"listen_port = twelve\n", "t.conf:1: listen_port = twelve: expected a number"},
        {"listen_port = -1\n", "expected a number"},
        {"real_storage = 12Q\n", "t.conf:1: real_storage = 12Q: expected a size"},
        {"real_storage = 1K\n", "value out of range"},
        {"max_vms = 0\n", "max_vms = 0: value out of range"},
        {"disconnect_timeout = 5 minutes\n", "expected a time"},
        {"disconnect_timeout = 1500ms\n", "expected a time"},
        {"log_stderr = maybe\n", "expected yes or no"},
        {"log_level = loud\n", "expected error, warning, info or debug"},
        {"system_name = TOOLONGNAME\n", "must be 1 to 8 characters"},
        {"system_name = a b\n", "only letters"},
        {"max_vms = 5\nmax_vms = 6\n", "t.conf:2: 'max_vms' is set twice"},
        {"slice = 0\n", "value out of range"},
        {"ssh_channels = 0\n", "ssh_channels = 0: value out of range"},
        {"ssh_channels = 65\n", "value out of range"},
        {"= 5\n", "t.conf:1: unknown setting ''"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct cp_config c;
        cp_config_defaults(&c);
        char err[256] = "";
        assert_int_equal(cp_config_parse(&c, "t.conf", cases[i].text, err, sizeof err), -1);
        if (!strstr(err, cases[i].expect)) {
            fail_msg("case %zu: error '%s' lacks '%s'", i, err, cases[i].expect);
        }
    }
}

static void
test_load_file(void **state)
{
    char dir[256];
    harness_tmpdir(dir, sizeof dir);
    char path[300];
    snprintf(path, sizeof path, "%s/x.conf", dir);
    struct cp_config c;
    char err[256] = "";
    /* missing */
    assert_int_equal(cp_config_load(&c, path, true, err, sizeof err), 0);
    assert_int_equal(c.listen_port, 2222);
    assert_int_equal(cp_config_load(&c, path, false, err, sizeof err), -1);
    assert_non_null(strstr(err, "x.conf"));
    /* present, with an error on line 2 */
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("max_vms = 3\nbogus = 1\n", f);
    fclose(f);
    assert_int_equal(cp_config_load(&c, path, false, err, sizeof err), -1);
    assert_non_null(strstr(err, "x.conf:2: unknown setting 'bogus'"));
    f = fopen(path, "w");
    fputs("max_vms = 3\n", f);
    fclose(f);
    assert_int_equal(cp_config_load(&c, path, false, err, sizeof err), 0);
    assert_int_equal(c.max_vms, 3);
    harness_rmtree(dir);
}

/* etc/vmrv.conf with every line uncommented gives exactly the defaults. */
static void
test_etc_conf_matches_defaults(void **state)
{
    const char *srcdir = getenv("top_srcdir");
    char path[1024];
    snprintf(path, sizeof path, "%s/etc/vmrv.conf", srcdir ? srcdir : ".");
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char text[16384];
    size_t len = 0;
    char line[512];
    unsigned settings = 0;
    while (fgets(line, sizeof line, f)) {
        /* "#key = value" lines are settings; "# text" lines are prose */
        if (line[0] == '#' && line[1] != ' ' && line[1] != '\n' && line[1] != '#' &&
            strchr(line, '=')) {
            if (strncmp(line + 1, "logmsg", 6) == 0) {
                continue; /* an example, not a default */
            }
            len += (size_t)snprintf(text + len, sizeof text - len, "%s", line + 1);
            settings++;
        }
    }
    fclose(f);
    struct cp_config def, c;
    cp_config_defaults(&def);
    cp_config_defaults(&c);
    char err[256] = "";
    if (cp_config_parse(&c, "vmrv.conf", text, err, sizeof err) != 0) {
        fail_msg("%s", err);
    }
    assert_memory_equal(&c, &def, sizeof c);
    /* and it names every setting the program has (logmsg aside) */
    char dump[8192];
    cp_config_dump(&def, dump, sizeof dump);
    unsigned keys = 0;
    for (char *p = dump; (p = strchr(p, '\n')); p++) {
        keys++;
    }
    assert_int_equal(settings, keys);
}

static void
test_dump_roundtrip(void **state)
{
    struct cp_config a, b;
    cp_config_defaults(&a);
    char err[256];
    assert_int_equal(cp_config_set(&a, "logmsg", "hello there", err, sizeof err), 0);
    assert_int_equal(cp_config_set(&a, "real_storage", "3G", err, sizeof err), 0);
    assert_int_equal(cp_config_set(&a, "nothing", "3G", err, sizeof err), -1);
    char dump[8192];
    size_t need = cp_config_dump(&a, dump, sizeof dump);
    assert_true(need < sizeof dump);
    assert_int_equal(need, strlen(dump));
    cp_config_defaults(&b);
    assert_int_equal(cp_config_parse(&b, "dump", dump, err, sizeof err), 0);
    assert_memory_equal(&a, &b, sizeof a);
    /* a short buffer still reports the needed length */
    char small[10];
    assert_int_equal(cp_config_dump(&a, small, sizeof small), need);
}

static void
test_sizes(void **state)
{
    uint64_t v;
    assert_int_equal(cp_parse_size("32M", &v), 0);
    assert_int_equal(v, 32ull << 20);
    assert_int_equal(cp_parse_size("4096", &v), 0);
    assert_int_equal(v, 4096);
    assert_int_equal(cp_parse_size("1Kb", &v), 0);
    assert_int_equal(v, 1024);
    assert_int_equal(cp_parse_size("M", &v), -1);
    assert_int_equal(cp_parse_size("99999999999T", &v), -1);
    char buf[32];
    cp_format_size(32ull << 20, buf, sizeof buf);
    assert_string_equal(buf, "32M");
    cp_format_size(1536ull << 10, buf, sizeof buf);
    assert_string_equal(buf, "1536K");
    cp_format_size(100, buf, sizeof buf);
    assert_string_equal(buf, "100");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_good_file),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_etc_conf_matches_defaults),
        cmocka_unit_test(test_dump_roundtrip),
        cmocka_unit_test(test_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
