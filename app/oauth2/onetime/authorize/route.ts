import { authorizeRoute } from "@/lib/identity/sso-routes";

export const POST = authorizeRoute;
