import { crmApiTokenRoute } from "@/lib/identity/sso-routes";

export const POST = crmApiTokenRoute;
