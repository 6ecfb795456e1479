/**
 * The cold-start baseline: the smallest Java program, run as {@code java -cp DIR Hello}. The suite
 * copies this class out of its jar into a directory of its own. (The default package on purpose:
 * the command line is the one in the figure's definition.)
 */
public class Hello {
    public static void main(String[] args) {
        System.out.println("Hello");
    }
}
