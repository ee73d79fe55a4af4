/** Where the picture of the built-in example lives (relative to the project): the README shows it, a test keeps it current. */
export const EXAMPLE_DIAGRAM_DIR = "docs";
/** Where the picture of your own configuration goes by default: beside its synthesized stacks. */
export const OWN_DIAGRAM_DIR = "cdktf.out";
