import { generateRoute } from "@/lib/identity/sso-routes";

export const POST = generateRoute;
