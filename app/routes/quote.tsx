import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { ApplicationForm } from "~/components/ApplicationForm";
import { applicationAction, applicationLoader } from "~/utils/application.server";
import { title } from "~/utils/meta";

export const meta = title("見積依頼");

export const loader = (args: LoaderFunctionArgs) => applicationLoader(args, "quote");
export const action = (args: ActionFunctionArgs) => applicationAction(args, "quote");

export default ApplicationForm;
