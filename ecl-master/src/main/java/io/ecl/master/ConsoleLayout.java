package io.ecl.master;

import io.ecl.cli.CliLogLayout;

/**
 * The daemon style of {@link CliLogLayout} under the name ecl-master's Logback files used before
 * the tools shared one layout. Kept so that an {@code /etc/ecl/logback.xml} naming
 * {@code io.ecl.master.ConsoleLayout} keeps working; new files name {@code io.ecl.cli.CliLogLayout}
 * with {@code <style>daemon</style>}.
 *
 * @deprecated use {@link CliLogLayout} with the {@code daemon} style
 */
@Deprecated
public final class ConsoleLayout extends CliLogLayout {
    public ConsoleLayout() {
        setStyle("daemon");
    }
}
