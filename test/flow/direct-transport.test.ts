import { transportSuite } from "../helpers/transport-suite.ts";

transportSuite("direct");
